import { randomBytes } from 'node:crypto';
import type { CpfhubScope } from './scopes.ts';

/**
 * Opaque OAuth tokens and what they stand for. Every token descends from one authorisation
 * code; that lineage (the "family") is what gets revoked when a code is replayed (RFC 6749
 * §4.1.2), when a rotated refresh token comes back (OAuth 2.0 Security BCP §4.14.2), or when the
 * client revokes its refresh token (RFC 7009 §2.1).
 */
export interface TokenGrant {
  clientId: string;
  userId: string;
  scopes: readonly CpfhubScope[];
}

interface Family extends TokenGrant {
  revoked: boolean;
}

interface AccessRecord {
  family: Family;
  /** A refresh may narrow the scope of the access tokens it yields. */
  scopes: readonly CpfhubScope[];
  expiresAt: number;
  revoked: boolean;
}

interface RefreshRecord {
  family: Family;
  expiresAt: number;
  /** Already exchanged for a newer one: presenting it again means it leaked. */
  rotated: boolean;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  scopes: readonly CpfhubScope[];
}

export type AccessCheck =
  | { state: 'valid'; userId: string; scopes: readonly CpfhubScope[] }
  | { state: 'unknown' | 'expired' | 'revoked' };

export type RefreshOutcome =
  | { ok: true; tokens: IssuedTokens }
  | { ok: false; error: 'invalid_grant' | 'invalid_scope'; description: string };

export interface TokenLifetimes {
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
}

const newToken = () => randomBytes(32).toString('base64url');

export class TokenStore {
  readonly #access = new Map<string, AccessRecord>();
  readonly #refresh = new Map<string, RefreshRecord>();
  /** Redeemed codes, so a replay can be told apart and its tokens revoked. */
  readonly #codeFamilies = new Map<string, { family: Family; forgetAt: number }>();

  constructor(
    private readonly lifetimes: TokenLifetimes,
    private readonly now: () => number = Date.now,
  ) {}

  #prune(at: number): void {
    for (const [token, r] of this.#access) if (r.expiresAt <= at) this.#access.delete(token);
    for (const [token, r] of this.#refresh) if (r.expiresAt <= at) this.#refresh.delete(token);
    for (const [code, r] of this.#codeFamilies) if (r.forgetAt <= at) this.#codeFamilies.delete(code);
  }

  #issue(family: Family, scopes: readonly CpfhubScope[]): IssuedTokens {
    const at = this.now();
    this.#prune(at);
    const accessToken = newToken();
    const refreshToken = newToken();
    const { accessTokenSeconds, refreshTokenSeconds } = this.lifetimes;
    this.#access.set(accessToken, {
      family,
      scopes,
      expiresAt: at + accessTokenSeconds * 1000,
      revoked: false,
    });
    this.#refresh.set(refreshToken, { family, expiresAt: at + refreshTokenSeconds * 1000, rotated: false });
    return { accessToken, refreshToken, expiresIn: accessTokenSeconds, scopes };
  }

  issueForCode(code: string, grant: TokenGrant): IssuedTokens {
    const family: Family = { ...grant, scopes: [...grant.scopes], revoked: false };
    // Remembered as long as any token of the family can live, which is as long as a replay matters.
    this.#codeFamilies.set(code, {
      family,
      forgetAt: this.now() + this.lifetimes.refreshTokenSeconds * 1000,
    });
    return this.#issue(family, family.scopes);
  }

  /** True when the code had already been exchanged; its tokens are then revoked. */
  revokeIfRedeemed(code: string): boolean {
    const redeemed = this.#codeFamilies.get(code);
    if (!redeemed) return false;
    redeemed.family.revoked = true;
    return true;
  }

  checkAccess(token: string): AccessCheck {
    const record = this.#access.get(token);
    if (!record) return { state: 'unknown' };
    if (record.revoked || record.family.revoked) return { state: 'revoked' };
    if (record.expiresAt <= this.now()) return { state: 'expired' };
    return { state: 'valid', userId: record.family.userId, scopes: record.scopes };
  }

  /**
   * Rotation: each refresh token works once and yields a new one with the family's original
   * scope (RFC 6749 §6); `scopes`, when given, narrows only the new access token.
   */
  refresh(clientId: string, token: string, scopes: readonly CpfhubScope[] | undefined): RefreshOutcome {
    const record = this.#refresh.get(token);
    const refused = (description: string): RefreshOutcome => ({
      ok: false,
      error: 'invalid_grant',
      description,
    });
    if (!record || record.expiresAt <= this.now()) return refused('refresh token is invalid or has expired');
    const { family } = record;
    if (family.clientId !== clientId) return refused('refresh token was issued to another client');
    if (family.revoked) return refused('refresh token has been revoked');
    if (record.rotated) {
      family.revoked = true;
      return refused('refresh token has already been used; every token of this grant is now revoked');
    }
    if (scopes && !scopes.every((s) => family.scopes.includes(s))) {
      return { ok: false, error: 'invalid_scope', description: 'scope exceeds what was originally granted' };
    }
    record.rotated = true;
    return { ok: true, tokens: this.#issue(family, scopes ?? family.scopes) };
  }

  /**
   * RFC 7009: a refresh token takes its whole family with it; an access token goes alone. A token
   * that is unknown, or another client's, is left as it is and the caller is not told which.
   */
  revoke(clientId: string, token: string): void {
    const refresh = this.#refresh.get(token);
    if (refresh && refresh.family.clientId === clientId) refresh.family.revoked = true;
    const access = this.#access.get(token);
    if (access && access.family.clientId === clientId) access.revoked = true;
  }
}
