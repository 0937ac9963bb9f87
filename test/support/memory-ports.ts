import type { AppRecord } from '../../shared/apps/app-record.ts';
import type { AuthState, Provider, StateOf } from '../../shared/core/auth-state.ts';
import { StateRefused } from '../../shared/core/errors.ts';
import type { AppDirectory, Clock, Fetch, Ports, SecretSource, StateStore } from '../../shared/core/ports.ts';
import type { StateSealing } from '../../shared/core/state-sealing.ts';

/**
 * The ports in memory, for unit tests: the same rules as the DynamoDB and Secrets Manager
 * adapters (single use, bound to app and provider, expiry checked on every read), no Java, no AWS.
 */

/** A clock a test moves forward by hand. */
export type MovableClock = Clock & { advance(seconds: number): void };

/** A clock the test moves by hand. */
export const manualClock = (start = 1_800_000_000): MovableClock => {
  let now = start;
  return {
    nowSeconds: () => now,
    advance: (seconds) => {
      now += seconds;
    },
  };
};

/** A state as the store keeps it: sealed parts (such as `sealedCodeVerifier`) where it seals. */
type Kept = AuthState & { consumedAt?: number } & Record<string, unknown>;

/**
 * States in memory. With `sealing`, their secret parts are kept sealed at rest, as the DynamoDB
 * adapter keeps them, and opened by the call that consumes the state.
 */
export const memoryStateStore = (
  clock: Clock,
  sealing?: StateSealing,
): StateStore & { peek(state: string): Kept | undefined } => {
  const states = new Map<string, Kept>();
  return {
    // The stored object itself: the SG-Verify QR store marks it scanned in place (memory-sgverify.ts).
    peek: (state) => states.get(state),
    save: async (state) => {
      const kept = (sealing ? await sealing.forRest(state) : structuredClone(state)) as Kept;
      if (states.has(state.state)) throw new Error('state exists');
      states.set(state.state, kept);
    },
    consume: async <P extends Provider>(state: string, appId: string, provider: P): Promise<StateOf<P>> => {
      const now = clock.nowSeconds();
      const item = states.get(state);
      if (!item || item.appId !== appId || item.provider !== provider) {
        throw new StateRefused('invalid_state', 'The state is unknown.');
      }
      if (item.consumedAt !== undefined)
        throw new StateRefused('state_used', 'The state has already been used.');
      if (item.expiresAt <= now) {
        throw new StateRefused('state_expired', 'The state has expired; start the flow again.');
      }
      // As the table's update does: the secret parts leave the store as the state is used.
      const { fapi: _fapi, sealedCodeVerifier: _verifier, ...kept } = item;
      states.set(state, { ...kept, consumedAt: now } as Kept);
      return sealing ? sealing.fromRest<StateOf<P>>(item) : (structuredClone(item) as unknown as StateOf<P>);
    },
  };
};

export const memoryAppDirectory = (
  apps: AppRecord[] = [],
): AppDirectory & { put(app: AppRecord): void; remove(appId: string): void } => {
  const byId = new Map(apps.map((app) => [app.appId, app]));
  return {
    put: (app) => {
      byId.set(app.appId, app);
    },
    remove: (appId) => {
      byId.delete(appId);
    },
    get: async (appId) => byId.get(appId),
    findActiveByKeyHash: async (hash) =>
      [...byId.values()].find((app) => app.apiKeyHash === hash && app.status === 'active'),
  };
};

/** Secrets by id; `set` replaces one as a rotation would (a new value object, read afresh). */
export const memorySecrets = (
  secrets: Record<string, unknown> = {},
): SecretSource & { set(secretId: string, value: unknown): void; reads: number } => {
  const values = new Map(Object.entries(secrets).map(([id, value]) => [id, { text: JSON.stringify(value) }]));
  const source = {
    reads: 0,
    set: (secretId: string, value: unknown) => {
      values.set(secretId, { text: JSON.stringify(value) });
    },
    read: async (secretId: string) => {
      source.reads++;
      const value = values.get(secretId);
      if (!value) throw new Error(`no secret ${secretId}`);
      return value;
    },
  };
  return source;
};

/** A fetch that fails every call: a unit test that reaches an upstream must say which. */
export const noNetwork: Fetch = async (url) => {
  throw new TypeError(`fetch failed: no upstream in this test (${new URL(url).host})`);
};

export const memoryPorts = (
  overrides: Partial<Ports> = {},
): Ports & { clock: ReturnType<typeof manualClock> } => {
  const clock = manualClock();
  return {
    clock,
    fetch: noNetwork,
    secrets: memorySecrets(),
    apps: memoryAppDirectory(),
    states: memoryStateStore(clock),
    ...overrides,
  } as Ports & { clock: ReturnType<typeof manualClock> };
};
