import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { freePort } from '../../local/ports.ts';
import { SecpassError } from '../../shared/http/errors.ts';
import { type AuthState, consumeState, newStateValue, saveState } from '../../shared/store/state-store.ts';
import { documentClient, nowSeconds, tableName } from '../../shared/store/table.ts';

// State rules against the real DynamoDB Local: the conditional write is the rule.
let dynamodb: DynamoDbLocal;
before(async () => {
  dynamodb = await startDynamoDbLocal(await freePort(), 'state-rules');
  useLocalEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url, SECPASS_TABLE: 'state-rules' });
});
after(async () => {
  await dynamodb?.stop();
});

type MyinfoState = Extract<AuthState, { provider: 'myinfo' }>;

const fresh = async (overrides: Partial<MyinfoState> = {}): Promise<MyinfoState> => {
  const state: MyinfoState = {
    state: newStateValue(),
    appId: 'app_a',
    provider: 'myinfo',
    expiresAt: nowSeconds() + 600,
    redirectUri: 'https://a.example/cb',
    attributes: 'uinfin,name',
    ...overrides,
  };
  await saveState(state);
  return state;
};

const refusedWith = (code: string) => (error: unknown) => {
  assert.ok(error instanceof SecpassError);
  assert.equal(error.status, 400);
  assert.equal(error.code, code);
  return true;
};

describe('state rules', () => {
  test('a state is consumed once, by its own app and provider, and returns what init saved', async () => {
    const saved = await fresh();
    await assert.rejects(consumeState(saved.state, 'app_b', 'myinfo'), refusedWith('invalid_state'));
    await assert.rejects(consumeState(saved.state, 'app_a', 'singpass'), refusedWith('invalid_state'));
    const consumed = await consumeState(saved.state, 'app_a', 'myinfo');
    assert.equal(consumed.redirectUri, saved.redirectUri);
    assert.equal(consumed.attributes, saved.attributes);
    await assert.rejects(consumeState(saved.state, 'app_a', 'myinfo'), refusedWith('state_used'));
    await assert.rejects(consumeState(saved.state, 'app_b', 'myinfo'), refusedWith('invalid_state'));
  });

  test('an expired state is refused although it is still in the table', async () => {
    const saved = await fresh({ expiresAt: nowSeconds() - 1 });
    await assert.rejects(consumeState(saved.state, 'app_a', 'myinfo'), refusedWith('state_expired'));
  });

  test('an unknown state is refused', async () => {
    await assert.rejects(consumeState(newStateValue(), 'app_a', 'myinfo'), refusedWith('invalid_state'));
  });

  test('the TTL attribute equals expiresAt, so DynamoDB deletes it eventually', async () => {
    const saved = await fresh();
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: { pk: `STATE#${saved.state}`, sk: 'STATE' } }),
    );
    assert.equal(Item?.ttl, saved.expiresAt);
  });

  test('a state value cannot be saved twice', async () => {
    const saved = await fresh();
    await assert.rejects(saveState(saved));
  });

  test('of 20 concurrent consumers exactly one wins', async () => {
    const saved = await fresh();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => consumeState(saved.state, 'app_a', 'myinfo')),
    );
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  });
});
