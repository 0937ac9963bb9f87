import assert from 'node:assert/strict';
import { after, afterEach, before, mock, test } from 'node:test';
import { type DynamoDbLocal, startDynamoDbLocal } from '../../local/dynamodb-local.ts';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { freePort } from '../../local/ports.ts';
import { TooManyCallbacksError } from '../../shared/providers/sgverify/callback-errors.ts';
import {
  FAILED_CALLBACK_LIMIT,
  FAILURE_WINDOW_SECONDS,
  returnCallbackAttempt,
  takeCallbackAttempt,
} from '../../shared/providers/sgverify/callback-throttle.ts';

// Against the real DynamoDB Local: the conditional writes are what make the limit hold under load.
let dynamodb: DynamoDbLocal;
before(async () => {
  dynamodb = await startDynamoDbLocal(await freePort(), 'callback-throttle');
  useLocalEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url, SECPASS_TABLE: 'callback-throttle' });
});
afterEach(() => {
  mock.restoreAll();
});
after(async () => {
  await dynamodb?.stop();
});

/** Moves our clock (nowSeconds reads Date.now) by this many seconds from here on. */
const travel = (seconds: number) => {
  const real = Date.now.bind(Date);
  mock.method(Date, 'now', () => real() + seconds * 1000);
};

const failTimes = async (state: string, times: number) => {
  for (let i = 0; i < times; i += 1) await takeCallbackAttempt(state);
};

const refusal = async (state: string): Promise<TooManyCallbacksError> => {
  try {
    await takeCallbackAttempt(state);
  } catch (error) {
    if (error instanceof TooManyCallbacksError) return error;
    throw error;
  }
  assert.fail('the attempt was not refused');
};

test('the limit-th failure still passes; the next is refused with the seconds left in the window', async () => {
  await failTimes('qr-limit', FAILED_CALLBACK_LIMIT);
  const refused = await refusal('qr-limit');
  assert.equal(refused.status, 429);
  assert.equal(refused.code, 'too_many_attempts');
  const retryAfter = Number(refused.headers['Retry-After']);
  assert.ok(retryAfter > FAILURE_WINDOW_SECONDS - 5 && retryAfter <= FAILURE_WINDOW_SECONDS, `${retryAfter}`);
});

test('once the window has passed the state is served again, with a fresh count', async () => {
  await failTimes('qr-window', FAILED_CALLBACK_LIMIT);
  await refusal('qr-window');
  travel(FAILURE_WINDOW_SECONDS + 1);
  await failTimes('qr-window', FAILED_CALLBACK_LIMIT);
  await refusal('qr-window');
});

test('a success gives back its own attempt only: it neither counts nor clears earlier failures', async () => {
  await failTimes('qr-success', FAILED_CALLBACK_LIMIT - 1);
  for (let i = 0; i < 3; i += 1) await returnCallbackAttempt(await takeCallbackAttempt('qr-success'));
  await takeCallbackAttempt('qr-success');
  await refusal('qr-success');
});

test('an attempt given back after its window closed does not lend the next window a slot', async () => {
  const late = await takeCallbackAttempt('qr-late');
  travel(FAILURE_WINDOW_SECONDS + 1);
  await failTimes('qr-late', FAILED_CALLBACK_LIMIT);
  await returnCallbackAttempt(late);
  await refusal('qr-late');
});

test('one state’s failures do not limit another', async () => {
  await failTimes('qr-busy', FAILED_CALLBACK_LIMIT);
  await refusal('qr-busy');
  await takeCallbackAttempt('qr-quiet');
});

test('30 concurrent attempts: exactly the limit are let through', async () => {
  const outcomes = await Promise.allSettled(
    Array.from({ length: 30 }, () => takeCallbackAttempt('qr-burst')),
  );
  assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, FAILED_CALLBACK_LIMIT);
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof TooManyCallbacksError);
  }
});

test('30 concurrent attempts on an expired window: one window reopens, and the limit holds', async () => {
  await failTimes('qr-reopen', FAILED_CALLBACK_LIMIT);
  travel(FAILURE_WINDOW_SECONDS + 1);
  const outcomes = await Promise.allSettled(
    Array.from({ length: 30 }, () => takeCallbackAttempt('qr-reopen')),
  );
  const passed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  assert.equal(passed.length, FAILED_CALLBACK_LIMIT);
  assert.equal(new Set(passed.map((p) => p.windowEndsAt)).size, 1, 'all in one window');
});
