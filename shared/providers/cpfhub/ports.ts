import { createHash } from 'node:crypto';
import type { SealedText } from '../../crypto/token-cipher.ts';

/**
 * What CPFHub's user grants need from the world beyond the common ports: a store for the grants
 * and a clock to the millisecond (CPFHub's access tokens may live a second, and a refresh lease is
 * timed against one upstream call). `shared/adapters/dynamodb/cpfhub-grants.ts` implements them on
 * the single table and the system clock, `test/support/memory-cpfhub.ts` in memory.
 */

/**
 * A user's CPFHub grant as a store holds it. The grant id is a bearer secret the app keeps, so a
 * store keys it by its SHA-256 only (`grantDigest`); the user's tokens are sealed (token-cipher)
 * and never stored in the clear.
 */
export interface GrantRecord {
  appId: string;
  /** Space-separated, as CPFHub granted it. */
  scope: string;
  /** `{ accessToken, refreshToken }`, sealed. */
  tokens: SealedText;
  /** Epoch ms after which the access token is treated as expired (a margin before CPFHub's). */
  accessExpiresAt: number;
  /** Epoch seconds; also the TTL. Every use and refresh pushes it on. */
  expiresAt: number;
  /** Bumped by every refresh: a refresh is saved only over the version it started from. */
  version: number;
  /** Epoch ms until which one caller holds the right to refresh. */
  refreshLeaseUntil?: number;
  /**
   * Epoch ms since when CPFHub may have rotated the refresh token held here without the new one
   * reaching us. Set as a refresh is leased (a caller that dies mid-call leaves it), kept when the
   * outcome stays unknown (a reset, a timeout, an unreadable answer, a 5xx), cleared by a clean
   * refresh or by a refusal when nothing was in doubt before.
   */
  refreshInDoubtSince?: number;
}

/** What a refresh (or the code exchange) writes. */
export type GrantTokens = Pick<GrantRecord, 'tokens' | 'accessExpiresAt' | 'expiresAt' | 'scope'>;

/**
 * Users' grants. Each rule holds for any number of concurrent callers in any number of containers:
 * the store's conditional writes are what make a refresh happen once.
 */
export interface GrantStore {
  /** Refuses (throws) a grant id that already exists. */
  create(grantId: string, record: GrantRecord): Promise<void>;
  /** The grant if it exists, belongs to `appId` and has not expired (checked on every read). */
  read(grantId: string, appId: string): Promise<GrantRecord | undefined>;
  /**
   * Takes the right to refresh `version` until `until` (epoch ms): of any number of concurrent
   * callers one wins; the rest get undefined and wait for the version to move. The same write
   * records that a refresh is about to leave (`refreshInDoubtSince`, unless already set), so even a
   * caller that dies mid-call leaves the grant in doubt. Returns the grant as it stood before.
   */
  leaseRefresh(grantId: string, version: number, until: number): Promise<GrantRecord | undefined>;
  /**
   * Saves refreshed tokens over `version`, bumps it, frees the lease and ends any doubt. Throws
   * when the grant is gone or its version moved.
   */
  saveRefresh(grantId: string, version: number, update: GrantTokens): Promise<void>;
  /**
   * After a failed refresh: frees the lease at once (if `version` still stands), keeping the doubt
   * only when `stillInDoubt`.
   */
  releaseLease(grantId: string, version: number, stillInDoubt: boolean): Promise<void>;
  /** Deletes the grant if it is still `appId`'s; false when it was not there to delete. */
  remove(grantId: string, appId: string): Promise<boolean>;
}

export interface CpfhubPorts {
  grants: GrantStore;
  /** Epoch milliseconds. */
  nowMillis(): number;
}

/** What a store keys a grant by: never the grant id itself. */
export const grantDigest = (grantId: string): string => createHash('sha256').update(grantId).digest('hex');
