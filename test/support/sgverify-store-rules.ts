import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newStateValue } from '../../shared/core/auth-state.ts';
import { TooManyAttempts } from '../../shared/core/errors.ts';
import type { Clock, StateStore } from '../../shared/core/ports.ts';
import {
  FAILED_CALLBACK_LIMIT,
  FAILURE_WINDOW_SECONDS,
  takeCallbackAttempt,
} from '../../shared/providers/sgverify/callback-throttle.ts';
import type {
  CallbackThrottle,
  PendingResults,
  QrState,
  QrStates,
} from '../../shared/providers/sgverify/ports.ts';
import type { MovableClock } from './memory-ports.ts';

/**
 * The rules SG-Verify's stores keep, whatever they store in: the unit tests run them in memory
 * (test/unit/sgverify-stores.test.ts), the integration tests against DynamoDB Local
 * (test/integration/sgverify-callback-throttle.test.ts, test/integration/pending-results.test.ts),
 * so the in-memory stores cannot drift from the real ones.
 */

/** A clock a test can move forward: by hand in memory, by an offset over the system clock against the table. */

export const callbackThrottleRules = (
  name: string,
  setup: () => { throttle: CallbackThrottle; clock: MovableClock },
) => {
  describe(`SG-Verify callback throttle (${name})`, () => {
    const failTimes = async (throttle: CallbackThrottle, state: string, times: number) => {
      for (let i = 0; i < times; i += 1) await takeCallbackAttempt(throttle, state);
    };
    const refusal = async (throttle: CallbackThrottle, state: string): Promise<TooManyAttempts> => {
      try {
        await takeCallbackAttempt(throttle, state);
      } catch (error) {
        if (error instanceof TooManyAttempts) return error;
        throw error;
      }
      assert.fail('the attempt was not refused');
    };
    // The table outlives a test, so each test has its own states.
    const qr = (label: string) => `qr-${label}-${newStateValue().slice(0, 8)}`;

    test('the limit-th failure still passes; the next is refused with the seconds left in the window', async () => {
      const { throttle } = setup();
      const state = qr('limit');
      await failTimes(throttle, state, FAILED_CALLBACK_LIMIT);
      const refused = await refusal(throttle, state);
      assert.equal(refused.code, 'too_many_attempts');
      assert.equal(
        refused.message,
        'This QR code has had too many failed attempts. Please try again in a few minutes.',
      );
      const retryAfter = refused.retryAfterSeconds;
      assert.ok(
        retryAfter > FAILURE_WINDOW_SECONDS - 5 && retryAfter <= FAILURE_WINDOW_SECONDS,
        `${retryAfter}`,
      );
    });

    test('once the window has passed the state is served again, with a fresh count', async () => {
      const { throttle, clock } = setup();
      const state = qr('window');
      await failTimes(throttle, state, FAILED_CALLBACK_LIMIT);
      await refusal(throttle, state);
      clock.advance(FAILURE_WINDOW_SECONDS + 1);
      await failTimes(throttle, state, FAILED_CALLBACK_LIMIT);
      await refusal(throttle, state);
    });

    test('the Retry-After shrinks as the window runs out', async () => {
      const { throttle, clock } = setup();
      const state = qr('shrinks');
      await failTimes(throttle, state, FAILED_CALLBACK_LIMIT);
      clock.advance(FAILURE_WINDOW_SECONDS - 100);
      const retryAfter = (await refusal(throttle, state)).retryAfterSeconds;
      assert.ok(retryAfter > 90 && retryAfter <= 100, `${retryAfter}`);
    });

    test('a success gives back its own attempt only: it neither counts nor clears earlier failures', async () => {
      const { throttle } = setup();
      const state = qr('success');
      await failTimes(throttle, state, FAILED_CALLBACK_LIMIT - 1);
      for (let i = 0; i < 3; i += 1) await throttle.giveBack(await takeCallbackAttempt(throttle, state));
      await takeCallbackAttempt(throttle, state);
      await refusal(throttle, state);
    });

    test('an attempt given back after its window closed does not lend the next window a slot', async () => {
      const { throttle, clock } = setup();
      const state = qr('late');
      const late = await takeCallbackAttempt(throttle, state);
      clock.advance(FAILURE_WINDOW_SECONDS + 1);
      await failTimes(throttle, state, FAILED_CALLBACK_LIMIT);
      await throttle.giveBack(late);
      await refusal(throttle, state);
    });

    test('giving back to a state that never counted anything is harmless', async () => {
      const { throttle, clock } = setup();
      const state = qr('never');
      await throttle.giveBack({ state, windowEndsAt: clock.nowSeconds() + FAILURE_WINDOW_SECONDS });
      await failTimes(throttle, state, FAILED_CALLBACK_LIMIT);
      await refusal(throttle, state);
    });

    test('one state’s failures do not limit another', async () => {
      const { throttle } = setup();
      const busy = qr('busy');
      await failTimes(throttle, busy, FAILED_CALLBACK_LIMIT);
      await refusal(throttle, busy);
      await takeCallbackAttempt(throttle, qr('quiet'));
    });

    test('30 concurrent attempts: exactly the limit are let through', async () => {
      const { throttle } = setup();
      const state = qr('burst');
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, () => takeCallbackAttempt(throttle, state)),
      );
      assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, FAILED_CALLBACK_LIMIT);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') assert.ok(outcome.reason instanceof TooManyAttempts);
      }
    });

    test('30 concurrent attempts on an expired window: one window reopens, and the limit holds', async () => {
      const { throttle, clock } = setup();
      const state = qr('reopen');
      await failTimes(throttle, state, FAILED_CALLBACK_LIMIT);
      clock.advance(FAILURE_WINDOW_SECONDS + 1);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, () => takeCallbackAttempt(throttle, state)),
      );
      const passed = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      assert.equal(passed.length, FAILED_CALLBACK_LIMIT);
      assert.equal(new Set(passed.map((p) => p.windowEndsAt)).size, 1, 'all in one window');
    });
  });
};

export const pendingResultsRules = (
  name: string,
  setup: () => { results: PendingResults; clock: MovableClock },
) => {
  describe(`SG-Verify pending results (${name})`, () => {
    const qr = (label: string) => `qr-${label}-${newStateValue().slice(0, 8)}`;
    const store = (results: PendingResults, clock: Clock, state: string, token: string) =>
      results.store(state, token, clock.nowSeconds() + 300);

    test('results come out in arrival order, each once, then nothing', async () => {
      const { results, clock } = setup();
      const state = qr('a');
      for (const token of ['first', 'second', 'third']) {
        await store(results, clock, state, token);
        // Arrival order is kept to the millisecond in the table.
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      assert.equal(await results.takeOldest(state), 'first');
      assert.equal(await results.takeOldest(state), 'second');
      assert.equal(await results.takeOldest(state), 'third');
      assert.equal(await results.takeOldest(state), undefined);
    });

    test("one QR's results are not another's", async () => {
      const { results, clock } = setup();
      const [b, c] = [qr('b'), qr('c')];
      await store(results, clock, b, 'for b');
      assert.equal(await results.takeOldest(c), undefined);
      assert.equal(await results.takeOldest(b), 'for b');
    });

    test('an expired result is not handed out, though it may still be stored', async () => {
      const { results, clock } = setup();
      const state = qr('expired');
      await results.store(state, 'stale', clock.nowSeconds() + 300);
      clock.advance(301);
      assert.equal(await results.takeOldest(state), undefined);
      await results.store(state, 'fresh', clock.nowSeconds() + 300);
      assert.equal(await results.takeOldest(state), 'fresh');
    });

    test('ten concurrent takers of one result: exactly one gets it', async () => {
      const { results, clock } = setup();
      const state = qr('d');
      await store(results, clock, state, 'only one');
      const taken = await Promise.all(Array.from({ length: 10 }, () => results.takeOldest(state)));
      assert.deepEqual(
        taken.filter((t) => t !== undefined),
        ['only one'],
      );
    });

    test('three results and three concurrent takers: each gets a different one', async () => {
      const { results, clock } = setup();
      const state = qr('e');
      for (const token of ['x', 'y', 'z']) await store(results, clock, state, token);
      const taken = await Promise.all(Array.from({ length: 3 }, () => results.takeOldest(state)));
      assert.deepEqual([...taken].sort(), ['x', 'y', 'z']);
    });
  });
};

export const qrStatesRules = (
  name: string,
  setup: () => { states: StateStore; qrStates: QrStates; clock: MovableClock },
) => {
  describe(`SG-Verify QR states (${name})`, () => {
    const saveQr = async (states: StateStore, clock: Clock, overrides: Partial<QrState> = {}) => {
      const qr: QrState = {
        state: newStateValue(),
        appId: 'app_a',
        provider: 'sgverify',
        qrType: 'dynamic',
        expiresAt: clock.nowSeconds() + 300,
        redirectUri: 'https://secpass.test/sgverify/callback',
        attributes: 'uinfin,name',
        ...overrides,
      };
      await states.save(qr);
      return qr;
    };

    test('a saved QR is found as saved; an unknown state or another provider’s is not', async () => {
      const { states, qrStates, clock } = setup();
      const qr = await saveQr(states, clock, { qrType: 'static', kioskId: 'kiosk-1' });
      const found = await qrStates.find(qr.state);
      assert.deepEqual(found, qr);
      assert.equal(await qrStates.find(newStateValue()), undefined);
      const myinfo = newStateValue();
      await states.save({
        state: myinfo,
        appId: 'app_a',
        provider: 'myinfo',
        expiresAt: clock.nowSeconds() + 300,
        redirectUri: 'https://a.example/cb',
        attributes: 'name',
      });
      assert.equal(await qrStates.find(myinfo), undefined);
    });

    test('an expired QR is still found (the caller tells expired from unknown)', async () => {
      const { states, qrStates, clock } = setup();
      const qr = await saveQr(states, clock);
      clock.advance(301);
      assert.equal((await qrStates.find(qr.state))?.state, qr.state);
    });

    test('a dynamic QR is claimed once; the claim shows as scannedAt', async () => {
      const { states, qrStates, clock } = setup();
      const qr = await saveQr(states, clock);
      assert.equal((await qrStates.find(qr.state))?.scannedAt, undefined);
      assert.equal(await qrStates.claimDynamic(qr.state), true);
      assert.equal(await qrStates.claimDynamic(qr.state), false);
      assert.equal((await qrStates.find(qr.state))?.scannedAt, clock.nowSeconds());
    });

    test('an expired or unknown QR cannot be claimed', async () => {
      const { states, qrStates, clock } = setup();
      const qr = await saveQr(states, clock);
      clock.advance(300);
      assert.equal(await qrStates.claimDynamic(qr.state), false);
      assert.equal(await qrStates.claimDynamic(newStateValue()), false);
    });

    test('of 10 concurrent claims exactly one wins', async () => {
      const { states, qrStates, clock } = setup();
      const qr = await saveQr(states, clock);
      const claims = await Promise.all(Array.from({ length: 10 }, () => qrStates.claimDynamic(qr.state)));
      assert.equal(claims.filter(Boolean).length, 1);
    });
  });
};
