import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { freePort } from '@secpass/simulators/ports';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { dynamoGrantStore, grantKey } from '../../shared/adapters/dynamodb/cpfhub-grants.ts';
import { documentClient, tableName } from '../../shared/adapters/dynamodb/table.ts';
import { grantStoreRules } from '../support/grant-store-contract.ts';

// The grant rules against the real DynamoDB Local: there, the conditional writes are the rules.
let dynamodb: DynamoDbLocal;
before(async () => {
  dynamodb = await startDynamoDbLocal(await freePort(), 'grant-rules');
  useLocalEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url, SECPASS_TABLE: 'grant-rules' });
});
after(async () => {
  await dynamodb?.stop();
});

const nowMillis = () => Date.now();
grantStoreRules('DynamoDB', () => ({ store: dynamoGrantStore(nowMillis), nowMillis }));

test('a grant is keyed by its id’s SHA-256, and its TTL follows expiresAt through every refresh', async () => {
  const store = dynamoGrantStore(nowMillis);
  const grantId = randomBytes(32).toString('base64url');
  const expiresAt = Math.floor(Date.now() / 1000) + 600;
  const tokens = { kid: 'k1', iv: 'aXY', data: 'c2VhbGVk' };
  await store.create(grantId, {
    appId: 'app_a',
    scope: 's',
    tokens,
    accessExpiresAt: 0,
    expiresAt,
    version: 0,
  });
  const stored = async () =>
    (await documentClient().send(new GetCommand({ TableName: tableName(), Key: grantKey(grantId) }))).Item;
  assert.match(String((await stored())?.pk), /^GRANT#[0-9a-f]{64}$/);
  assert.ok(!JSON.stringify(await stored()).includes(grantId));
  assert.equal((await stored())?.ttl, expiresAt);
  await store.saveRefresh(grantId, 0, { tokens, accessExpiresAt: 1, expiresAt: expiresAt + 60, scope: 's' });
  assert.equal((await stored())?.ttl, expiresAt + 60);
});
