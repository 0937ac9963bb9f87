import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { freePort } from '../../local/ports.ts';
import { storePendingResult, takeOldestResult } from '../../shared/providers/sgverify/pending-results.ts';

// Against the real DynamoDB Local: the conditional delete is what hands a result out once.
let dynamodb: DynamoDbLocal;
before(async () => {
  dynamodb = await startDynamoDbLocal(await freePort(), 'pending-results');
  useLocalEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url, SECPASS_TABLE: 'pending-results' });
});
after(async () => {
  await dynamodb?.stop();
});

test('results come out in arrival order, each once, then nothing', async () => {
  for (const token of ['first', 'second', 'third']) await storePendingResult('qr-a', token);
  assert.equal(await takeOldestResult('qr-a'), 'first');
  assert.equal(await takeOldestResult('qr-a'), 'second');
  assert.equal(await takeOldestResult('qr-a'), 'third');
  assert.equal(await takeOldestResult('qr-a'), undefined);
});

test("one QR's results are not another's", async () => {
  await storePendingResult('qr-b', 'for b');
  assert.equal(await takeOldestResult('qr-c'), undefined);
  assert.equal(await takeOldestResult('qr-b'), 'for b');
});

test('ten concurrent takers of one result: exactly one gets it', async () => {
  await storePendingResult('qr-d', 'only one');
  const taken = await Promise.all(Array.from({ length: 10 }, () => takeOldestResult('qr-d')));
  assert.deepEqual(
    taken.filter((t) => t !== undefined),
    ['only one'],
  );
});

test('three results and three concurrent takers: each gets a different one', async () => {
  for (const token of ['x', 'y', 'z']) await storePendingResult('qr-e', token);
  const taken = await Promise.all(Array.from({ length: 3 }, () => takeOldestResult('qr-e')));
  assert.deepEqual([...taken].sort(), ['x', 'y', 'z']);
});
