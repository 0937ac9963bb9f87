import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { freePort } from '@secpass/simulators/ports';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { dynamoStateStore } from '../../shared/adapters/dynamodb/state-store.ts';
import { documentClient, tableName } from '../../shared/adapters/dynamodb/table.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { newStateValue } from '../../shared/core/auth-state.ts';
import { stateSealing } from '../../shared/core/state-sealing.ts';
import { stateStoreRules } from '../support/state-store-contract.ts';

// The state rules against the real DynamoDB Local: there, the conditional write is the rule.
let dynamodb: DynamoDbLocal;
before(async () => {
  dynamodb = await startDynamoDbLocal(await freePort(), 'state-rules');
  useLocalEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url, SECPASS_TABLE: 'state-rules' });
});
after(async () => {
  await dynamodb?.stop();
});

// Myinfo v3 states hold nothing sealed, so no state keys are read.
const noKeys = stateSealing(() => Promise.reject(new Error('no state keys in this test')));
const setup = () => ({
  store: dynamoStateStore({ clock: systemClock, sealing: noKeys }),
  clock: systemClock,
});

stateStoreRules('DynamoDB', setup);

test('the TTL attribute equals expiresAt, so DynamoDB deletes it eventually', async () => {
  const { store, clock } = setup();
  const state = newStateValue();
  const expiresAt = clock.nowSeconds() + 600;
  await store.save({
    state,
    appId: 'app_a',
    provider: 'myinfo',
    expiresAt,
    redirectUri: 'https://a/cb',
    attributes: 'name',
  });
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: { pk: `STATE#${state}`, sk: 'STATE' } }),
  );
  assert.equal(Item?.ttl, expiresAt);
});
