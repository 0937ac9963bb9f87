import { after, before } from 'node:test';
import { freePort } from '@secpass/simulators/ports';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { dynamoCallbackThrottle } from '../../shared/adapters/dynamodb/sgverify-callback-throttle.ts';
import { callbackThrottleRules } from '../support/sgverify-store-rules.ts';
import { travellingSystemClock } from '../support/travelling-clock.ts';

// Against the real DynamoDB Local: the conditional writes are what make the limit hold under load.
let dynamodb: DynamoDbLocal;
before(async () => {
  dynamodb = await startDynamoDbLocal(await freePort(), 'callback-throttle');
  useLocalEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url, SECPASS_TABLE: 'callback-throttle' });
});
after(async () => {
  await dynamodb?.stop();
});

callbackThrottleRules('DynamoDB', () => {
  const clock = travellingSystemClock();
  return { throttle: dynamoCallbackThrottle({ clock }), clock };
});
