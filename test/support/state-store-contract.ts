import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type AuthState, newStateValue } from '../../shared/core/auth-state.ts';
import { StateRefused } from '../../shared/core/errors.ts';
import type { Clock, StateStore } from '../../shared/core/ports.ts';

type MyinfoState = Extract<AuthState, { provider: 'myinfo' }>;

const refusedWith = (code: string) => (error: unknown) => {
  assert.ok(error instanceof StateRefused);
  assert.equal(error.code, code);
  return true;
};

/**
 * The rules every StateStore keeps, whatever it stores in: the unit tests run them in memory, the
 * integration tests against DynamoDB Local, so the in-memory store cannot drift from the real one.
 */
export const stateStoreRules = (name: string, setup: () => { store: StateStore; clock: Clock }) => {
  const fresh = async (store: StateStore, clock: Clock, overrides: Partial<MyinfoState> = {}) => {
    const state: MyinfoState = {
      state: newStateValue(),
      appId: 'app_a',
      provider: 'myinfo',
      expiresAt: clock.nowSeconds() + 600,
      redirectUri: 'https://a.example/cb',
      attributes: 'uinfin,name',
      ...overrides,
    };
    await store.save(state);
    return state;
  };

  describe(`state rules (${name})`, () => {
    test('a state is consumed once, by its own app and provider, and returns what init saved', async () => {
      const { store, clock } = setup();
      const saved = await fresh(store, clock);
      await assert.rejects(store.consume(saved.state, 'app_b', 'myinfo'), refusedWith('invalid_state'));
      await assert.rejects(store.consume(saved.state, 'app_a', 'singpass'), refusedWith('invalid_state'));
      const consumed = await store.consume(saved.state, 'app_a', 'myinfo');
      assert.equal(consumed.redirectUri, saved.redirectUri);
      assert.equal(consumed.attributes, saved.attributes);
      await assert.rejects(store.consume(saved.state, 'app_a', 'myinfo'), refusedWith('state_used'));
      await assert.rejects(store.consume(saved.state, 'app_b', 'myinfo'), refusedWith('invalid_state'));
    });

    test('an expired state is refused although it is still stored', async () => {
      const { store, clock } = setup();
      const saved = await fresh(store, clock, { expiresAt: clock.nowSeconds() - 1 });
      await assert.rejects(store.consume(saved.state, 'app_a', 'myinfo'), refusedWith('state_expired'));
    });

    test('an unknown state is refused', async () => {
      const { store } = setup();
      await assert.rejects(store.consume(newStateValue(), 'app_a', 'myinfo'), refusedWith('invalid_state'));
    });

    test('a state value cannot be saved twice', async () => {
      const { store, clock } = setup();
      const saved = await fresh(store, clock);
      await assert.rejects(store.save(saved));
    });

    test('of 20 concurrent consumers exactly one wins', async () => {
      const { store, clock } = setup();
      const saved = await fresh(store, clock);
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => store.consume(saved.state, 'app_a', 'myinfo')),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });
  });
};
