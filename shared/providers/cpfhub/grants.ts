import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod/mini';
import { AccessRefused, UpstreamFailed } from '../../core/errors.ts';
import type { Clock } from '../../core/ports.ts';
import { openText, sealText } from '../../crypto/token-cipher.ts';
import type { CpfhubCredentials } from '../../secrets/cpfhub-credentials.ts';
import { type CpfhubOAuthClient, mayHaveTakenEffect, type TokenSet } from './oauth-client.ts';
import { type CpfhubPorts, type GrantRecord, type GrantTokens, grantDigest } from './ports.ts';

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
  new AccessRefused('unknown_grant', 'The grant is unknown, revoked, expired or not this app’s.');

const grantRevoked = () =>
  new AccessRefused('grant_revoked', 'The user’s CPFHub consent has ended; start the OAuth flow again.');

/** Not the user's doing: telling the app consent was withdrawn would be false. */
const grantLost = () =>
  new AccessRefused(
    'grant_lost',
    'CPFHub no longer accepts this grant after a refresh whose answer was lost; the user must consent again.',
  );

/** What binds sealed tokens to their grant and app (the cipher's associated data). */
export const grantContext = (grantId: string, appId: string): string =>
  `GRANT#${grantDigest(grantId)}|${appId}`;

export interface UsableGrant {
  scopes: string[];
  accessToken: string;
  version: number;
}

export interface GrantKeeperDeps {
  ports: CpfhubPorts;
  clock: Clock;
  oauth: CpfhubOAuthClient;
  credentials: () => Promise<CpfhubCredentials>;
  /** How long one upstream call may take: a refresh lease outlives it. */
  upstreamTimeoutMs: number;
}

export interface GrantKeeper {
  /** Stores what a code exchange returned; `scope` is what was asked, if CPFHub does not say. */
  store(grantId: string, appId: string, tokens: TokenSet, scope: string): Promise<string>;
  /**
   * The grant's current access token, refreshed first if it has run out or if it is the version
   * CPFHub just refused (`refusedVersion`).
   */
  usable(grantId: string, appId: string, refusedVersion?: number): Promise<UsableGrant>;
  /** Revokes the user's tokens at CPFHub, then forgets them; a CPFHub failure keeps the grant for a retry. */
  revoke(grantId: string, appId: string): Promise<void>;
}

export const grantKeeper = ({
  ports,
  clock,
  oauth,
  credentials,
  upstreamTimeoutMs,
}: GrantKeeperDeps): GrantKeeper => {
  const { grants, nowMillis } = ports;

  /** Refresh a little before CPFHub's expiry so a token never lapses between our check and its use. */
  const accessDeadline = (expiresIn: number): number =>
    nowMillis() + expiresIn * 1000 - Math.min(30_000, expiresIn * 250);

  const tokenFields = (
    grantId: string,
    appId: string,
    tokens: TokenSet,
    keys: CpfhubCredentials,
    scope: string,
  ): GrantTokens => ({
    tokens: sealText(
      JSON.stringify({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken }),
      keys.sealingKey,
      grantContext(grantId, appId),
    ),
    accessExpiresAt: accessDeadline(tokens.expiresIn),
    expiresAt: clock.nowSeconds() + GRANT_LIFETIME_SECONDS,
    scope: tokens.scope ?? scope,
  });

  const openTokens = (grantId: string, record: GrantRecord, keys: CpfhubCredentials) =>
    StoredTokens.parse(
      JSON.parse(openText(record.tokens, keys.openingKeys, grantContext(grantId, record.appId))),
    );

  /** A lease outlives the one upstream call made under it. */
  const leaseMs = upstreamTimeoutMs + 5_000;

  /**
   * Refreshes the version `leased` holds the lease on. `leased` is the grant as the lease found it,
   * so whether an earlier refresh was already in doubt is known exactly.
   */
  const refreshUnderLease = async (grantId: string, leased: GrantRecord): Promise<GrantRecord> => {
    const doubtedBefore = leased.refreshInDoubtSince !== undefined;
    let keys: CpfhubCredentials;
    let result: TokenSet | 'invalid_grant';
    try {
      keys = await credentials();
      const { refreshToken } = openTokens(grantId, leased, keys);
      result = await oauth.requestTokens(keys, { grant_type: 'refresh_token', refresh_token: refreshToken });
    } catch (error) {
      await grants.releaseLease(grantId, leased.version, doubtedBefore || mayHaveTakenEffect(error));
      throw error;
    }
    if (result === 'invalid_grant') {
      // Nothing can revive the grant. If a refresh was lost, CPFHub most likely rotated the token
      // then and now sees the old one again; otherwise consent was withdrawn or the grant ran out.
      await grants.remove(grantId, leased.appId);
      throw doubtedBefore ? grantLost() : grantRevoked();
    }
    const fields = tokenFields(grantId, leased.appId, result, keys, leased.scope);
    await grants.saveRefresh(grantId, leased.version, fields);
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
    const giveUpAt = nowMillis() + 2 * leaseMs;
    let current = stale;
    while (nowMillis() < giveUpAt) {
      const leased = await grants.leaseRefresh(grantId, current.version, nowMillis() + leaseMs);
      if (leased) return refreshUnderLease(grantId, leased);
      await sleep(RETRY_INTERVAL_MS);
      const latest = await grants.read(grantId, stale.appId);
      if (!latest) throw unknownGrant();
      if (latest.version !== stale.version) return latest;
      current = latest;
    }
    throw new UpstreamFailed('CPFHub', 'timeout');
  };

  return {
    store: async (grantId, appId, tokens, scope) => {
      const fields = tokenFields(grantId, appId, tokens, await credentials(), scope);
      await grants.create(grantId, { appId, ...fields, version: 0 });
      return fields.scope;
    },

    usable: async (grantId, appId, refusedVersion) => {
      let record = await grants.read(grantId, appId);
      if (!record) throw unknownGrant();
      if (record.accessExpiresAt <= nowMillis() || record.version === refusedVersion) {
        record = await newerThan(grantId, record);
      }
      const { accessToken } = openTokens(grantId, record, await credentials());
      return { scopes: record.scope.split(' ').filter(Boolean), accessToken, version: record.version };
    },

    revoke: async (grantId, appId) => {
      const record = await grants.read(grantId, appId);
      if (!record) throw unknownGrant();
      const keys = await credentials();
      await oauth.revokeRefreshToken(keys, openTokens(grantId, record, keys).refreshToken);
      await grants.remove(grantId, appId);
    },
  };
};
