import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { setting } from '../../config/env.ts';
import { openText, sealText } from '../../crypto/token-cipher.ts';
import { ForbiddenError, UpstreamError } from '../../http/errors.ts';
import { type CpfhubCredentials, loadCpfhubCredentials } from '../../secrets/cpfhub-credentials.ts';
import { nowSeconds } from '../../store/table.ts';
import {
  createGrant,
  deleteGrant,
  type GrantRecord,
  grantContext,
  leaseRefresh,
  readGrant,
  releaseLease,
  saveRefresh,
} from './grant-store.ts';
import { mayHaveTakenEffect, requestTokens, revokeRefreshToken, type TokenSet } from './oauth-client.ts';

/**
 * A user's CPFHub grant over its life: stored at the code exchange, its access token refreshed
 * when it runs out (once, whichever container asks first), revoked at CPFHub and deleted on request.
 * CPFHub rotates the refresh token at each refresh, so a refresh whose answer is lost may leave us
 * holding a spent token: the grant records that doubt until a clean refresh ends it.
 */

// CPFHub states no refresh-token lifetime; a grant nobody has used or refreshed for 30 days is dropped.
const GRANT_LIFETIME_SECONDS = 30 * 24 * 3600;
const RETRY_INTERVAL_MS = 100;

const StoredTokens = z.object({ accessToken: z.string(), refreshToken: z.string() });

export const unknownGrant = () =>
  new ForbiddenError('unknown_grant', 'The grant is unknown, revoked, expired or not this app’s.');

const grantRevoked = () =>
  new ForbiddenError('grant_revoked', 'The user’s CPFHub consent has ended; start the OAuth flow again.');

/** Not the user's doing: telling the app consent was withdrawn would be false. */
const grantLost = () =>
  new ForbiddenError(
    'grant_lost',
    'CPFHub no longer accepts this grant after a refresh whose answer was lost; the user must consent again.',
  );

/** Refresh a little before CPFHub's expiry so a token never lapses between our check and its use. */
const accessDeadline = (expiresIn: number): number =>
  Date.now() + expiresIn * 1000 - Math.min(30_000, expiresIn * 250);

const tokenFields = (
  grantId: string,
  appId: string,
  tokens: TokenSet,
  credentials: CpfhubCredentials,
  scope: string,
): Pick<GrantRecord, 'tokens' | 'accessExpiresAt' | 'expiresAt' | 'scope'> => ({
  tokens: sealText(
    JSON.stringify({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }),
    credentials.sealingKey,
    grantContext(grantId, appId),
  ),
  accessExpiresAt: accessDeadline(tokens.expiresIn),
  expiresAt: nowSeconds() + GRANT_LIFETIME_SECONDS,
  scope: tokens.scope ?? scope,
});

const openTokens = (grantId: string, record: GrantRecord, credentials: CpfhubCredentials) =>
  StoredTokens.parse(
    JSON.parse(openText(record.tokens, credentials.openingKeys, grantContext(grantId, record.appId))),
  );

/** Stores what a code exchange returned; `scope` is what was asked, if CPFHub does not say. */
export const storeGrant = async (
  grantId: string,
  appId: string,
  tokens: TokenSet,
  scope: string,
): Promise<string> => {
  const fields = tokenFields(grantId, appId, tokens, await loadCpfhubCredentials(), scope);
  await createGrant(grantId, { appId, ...fields, version: 0 });
  return fields.scope;
};

/** A lease outlives the one upstream call made under it. */
const leaseMs = () => setting('UPSTREAM_TIMEOUT_MS') + 5_000;

/**
 * Refreshes the version `leased` holds the lease on. `leased` is the grant as the lease found it,
 * so whether an earlier refresh was already in doubt is known exactly.
 */
const refreshUnderLease = async (grantId: string, leased: GrantRecord): Promise<GrantRecord> => {
  const doubtedBefore = leased.refreshInDoubtSince !== undefined;
  let credentials: CpfhubCredentials;
  let result: Awaited<ReturnType<typeof requestTokens>>;
  try {
    credentials = await loadCpfhubCredentials();
    const { refreshToken } = openTokens(grantId, leased, credentials);
    result = await requestTokens(credentials, { grant_type: 'refresh_token', refresh_token: refreshToken });
  } catch (error) {
    await releaseLease(grantId, leased.version, doubtedBefore || mayHaveTakenEffect(error));
    throw error;
  }
  if (result === 'invalid_grant') {
    // Nothing can revive the grant. If a refresh was lost, CPFHub most likely rotated the token
    // then and now sees the old one again; otherwise consent was withdrawn or the grant ran out.
    await deleteGrant(grantId, leased.appId);
    throw doubtedBefore ? grantLost() : grantRevoked();
  }
  const fields = tokenFields(grantId, leased.appId, result, credentials, leased.scope);
  await saveRefresh(grantId, leased.version, fields);
  return {
    ...leased,
    ...fields,
    version: leased.version + 1,
    refreshLeaseUntil: undefined,
    refreshInDoubtSince: undefined,
  };
};

/**
 * A record newer than `stale`: refreshed by this caller if it wins the lease, otherwise by
 * whoever did, read once they have saved it.
 */
const newerThan = async (grantId: string, stale: GrantRecord): Promise<GrantRecord> => {
  const giveUpAt = Date.now() + 2 * leaseMs();
  let current = stale;
  while (Date.now() < giveUpAt) {
    const leased = await leaseRefresh(grantId, current.version, Date.now() + leaseMs());
    if (leased) return refreshUnderLease(grantId, leased);
    await sleep(RETRY_INTERVAL_MS);
    const latest = await readGrant(grantId, stale.appId);
    if (!latest) throw unknownGrant();
    if (latest.version !== stale.version) return latest;
    current = latest;
  }
  throw new UpstreamError('CPFHub', 'timeout');
};

export interface UsableGrant {
  scopes: string[];
  accessToken: string;
  version: number;
}

/**
 * The grant's current access token, refreshed first if it has run out or if it is the version
 * CPFHub just refused (`refusedVersion`).
 */
export const usableGrant = async (
  grantId: string,
  appId: string,
  refusedVersion?: number,
): Promise<UsableGrant> => {
  let record = await readGrant(grantId, appId);
  if (!record) throw unknownGrant();
  if (record.accessExpiresAt <= Date.now() || record.version === refusedVersion) {
    record = await newerThan(grantId, record);
  }
  const { accessToken } = openTokens(grantId, record, await loadCpfhubCredentials());
  return { scopes: record.scope.split(' ').filter(Boolean), accessToken, version: record.version };
};

/** Revokes the user's tokens at CPFHub, then forgets them; a CPFHub failure keeps the grant for a retry. */
export const revokeGrant = async (grantId: string, appId: string): Promise<void> => {
  const record = await readGrant(grantId, appId);
  if (!record) throw unknownGrant();
  const credentials = await loadCpfhubCredentials();
  await revokeRefreshToken(credentials, openTokens(grantId, record, credentials).refreshToken);
  await deleteGrant(grantId, appId);
};
