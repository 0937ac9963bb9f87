import { after, before } from 'node:test';
import { freePort } from '@secpass/simulators/ports';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { dynamoPendingResults } from '../../shared/adapters/dynamodb/sgverify-pending-results.ts';
import { dynamoQrStates } from '../../shared/adapters/dynamodb/sgverify-qr-states.ts';
import { dynamoStateStore } from '../../shared/adapters/dynamodb/state-store.ts';
import { stateSealing } from '../../shared/core/state-sealing.ts';
import { pendingResultsRules, qrStatesRules } from '../support/sgverify-store-rules.ts';
import { travellingSystemClock } from '../support/travelling-clock.ts';

// Against the real DynamoDB Local: the conditional delete is what hands a result out once, and the
// conditional update what lets a dynamic QR code serve one visitor.
let dynamodb: DynamoDbLocal;
before(async () => {
  dynamodb = await startDynamoDbLocal(await freePort(), 'pending-results');
  useLocalEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url, SECPASS_TABLE: 'pending-results' });
});
after(async () => {
  await dynamodb?.stop();
});

pendingResultsRules('DynamoDB', () => {
  const clock = travellingSystemClock();
  return { results: dynamoPendingResults({ clock }), clock };
});

// SG-Verify and Myinfo v3 states hold nothing sealed, so no state keys are read.
const noKeys = stateSealing(() => Promise.reject(new Error('no state keys in this test')));
qrStatesRules('DynamoDB', () => {
  const clock = travellingSystemClock();
  return { states: dynamoStateStore({ clock, sealing: noKeys }), qrStates: dynamoQrStates({ clock }), clock };
});
