import type { AppRecord } from '../apps/app-record.ts';
import type { AuthState, Provider, StateOf } from './auth-state.ts';

/**
 * What the domain needs from the world, and nothing more. Providers are built from a
 * configuration object plus these; `shared/adapters/` implements them on DynamoDB, Secrets
 * Manager and the environment, and the unit tests in memory. Each function composes its own set
 * once, at the top of its handler.
 */

export interface Clock {
  /** Epoch seconds. */
  nowSeconds(): number;
}

/** The platform's fetch, or a test's. */
export type Fetch = (url: string, init: RequestInit) => Promise<Response>;

/**
 * One read of a secret. A source hands out the same object while its cached copy lasts and a new
 * one after each fresh read, so what is derived from it (imported keys) is derived once per read.
 */
export interface SecretValue {
  readonly text: string;
}

export interface SecretSource {
  read(secretId: string): Promise<SecretValue>;
}

/** The apps, as the broker reads them on every call (the admin command writes them). */
export interface AppDirectory {
  get(appId: string): Promise<AppRecord | undefined>;
  /** The active app whose API key hashes to `hash`, if any. */
  findActiveByKeyHash(hash: string): Promise<AppRecord | undefined>;
}

export interface StateStore {
  /** Refuses (throws) a state value that already exists. */
  save(state: AuthState): Promise<void>;
  /**
   * Marks the state used, atomically: of any number of concurrent calls exactly one wins, and
   * only for its own app and provider, before expiry. Throws `StateRefused` otherwise; another
   * app's attempt learns nothing beyond "unknown".
   */
  consume<P extends Provider>(state: string, appId: string, provider: P): Promise<StateOf<P>>;
}

export interface Ports {
  clock: Clock;
  fetch: Fetch;
  secrets: SecretSource;
  apps: AppDirectory;
  states: StateStore;
}
