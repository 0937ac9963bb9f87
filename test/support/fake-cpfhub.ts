import { createHash, randomBytes } from 'node:crypto';
import type { Fetch } from '../../shared/core/ports.ts';

/**
 * CPFHub as a `fetch` that answers in memory, for unit tests: the OAuth endpoints (a code with
 * PKCE, refresh-token rotation, revocation) and the two API calls Secpass forwards, plus faults a
 * test sets on the next matching call (a status and body, a reset before CPFHub acts, an answer
 * dropped after it acted, a call that never answers, one held until the test lets it go).
 */

export const FAKE_CPFHUB = {
  apiBaseUrl: 'https://cpfhub.test/v1',
  oauthBaseUrl: 'https://cpfhub.test/oauth',
  clientId: 'secpass-client',
  // Characters that must be form-encoded inside HTTP Basic (RFC 6749 §2.3.1).
  clientSecret: 'se:cr+et/with spaces',
  apiKey: 'ak_secpass_api_key_0123456789',
} as const;

export type Fault =
  | { kind: 'answer'; status: number; body: string; headers?: Record<string, string> }
  /** The connection fails before CPFHub sees the request. */
  | { kind: 'reset' }
  /** CPFHub acts on the request, then its answer is lost. */
  | { kind: 'drop-answer' }
  /** No answer until the caller's signal aborts (its timeout). */
  | { kind: 'hang' }
  /** CPFHub answers once `until` settles. */
  | { kind: 'hold'; until: Promise<unknown> };

export interface RecordedCall {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

interface RefreshToken {
  userId: string;
  scope: string;
  active: boolean;
}

interface AccessToken {
  userId: string;
  scope: string;
  active: boolean;
  refreshToken: string;
}

interface PendingCode {
  userId: string;
  scope: string;
  redirectUri: string;
  challenge: string;
  used: boolean;
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

const opaque = () => randomBytes(24).toString('base64url');

const aborted = (signal: AbortSignal | null | undefined): Promise<never> =>
  new Promise((_, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

export interface FakeCpfhubOptions {
  accessTokenSeconds?: number;
  /** What CPFHub says it granted for what was asked; undefined = no `scope` in the answer. */
  grantedScope?: (asked: string) => string | undefined;
}

export const fakeCpfhub = ({
  accessTokenSeconds = 300,
  grantedScope = (asked) => asked,
}: FakeCpfhubOptions = {}) => {
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Map<string, RefreshToken>();
  const accessTokens = new Map<string, AccessToken>();
  const faults: { path: RegExp; fault: Fault; times: number }[] = [];
  const calls: RecordedCall[] = [];
  const stats = { codeGrants: 0, refreshes: 0, revocations: 0, apiCalls: 0 };

  const clientOk = (headers: Headers): boolean => {
    const [scheme, encoded] = (headers.get('authorization') ?? '').split(' ');
    if (scheme !== 'Basic' || !encoded) return false;
    const [id, secret] = Buffer.from(encoded, 'base64').toString('utf8').split(':');
    return (
      decodeURIComponent(id ?? '') === FAKE_CPFHUB.clientId &&
      decodeURIComponent(secret ?? '') === FAKE_CPFHUB.clientSecret
    );
  };

  const issue = (userId: string, scope: string) => {
    const refreshToken = opaque();
    const accessToken = opaque();
    refreshTokens.set(refreshToken, { userId, scope, active: true });
    accessTokens.set(accessToken, { userId, scope, active: true, refreshToken });
    const granted = grantedScope(scope);
    return json(200, {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: accessTokenSeconds,
      refresh_token: refreshToken,
      ...(granted === undefined ? {} : { scope: granted }),
    });
  };

  const invalidGrant = (description: string) =>
    json(400, { error: 'invalid_grant', error_description: description });

  const endRefreshToken = (refreshToken: string) => {
    const found = refreshTokens.get(refreshToken);
    if (found) found.active = false;
    for (const access of accessTokens.values())
      if (access.refreshToken === refreshToken) access.active = false;
  };

  const token = (form: URLSearchParams): Response => {
    if (form.get('grant_type') === 'authorization_code') {
      const pending = codes.get(form.get('code') ?? '');
      if (!pending || pending.used) return invalidGrant('authorization code is invalid');
      pending.used = true;
      if (pending.redirectUri !== form.get('redirect_uri'))
        return invalidGrant('redirect_uri does not match');
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      if (challenge !== pending.challenge) return invalidGrant('code_verifier does not match');
      stats.codeGrants++;
      return issue(pending.userId, pending.scope);
    }
    if (form.get('grant_type') === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const found = refreshTokens.get(presented);
      if (!found?.active) return invalidGrant('refresh token is invalid');
      // Rotation: the presented token is spent, with every access token issued from it.
      endRefreshToken(presented);
      stats.refreshes++;
      return issue(found.userId, found.scope);
    }
    return json(400, { error: 'unsupported_grant_type' });
  };

  const api = (call: RecordedCall, path: string): Response => {
    stats.apiCalls++;
    const bearer = (call.headers.get('authorization') ?? '').replace(/^Bearer /, '');
    const access = accessTokens.get(bearer);
    if (bearer !== FAKE_CPFHUB.apiKey && !access?.active) return json(401, { error: 'invalid_token' });
    const answer = { path, query: call.url.search, user: access?.userId ?? null };
    if (call.method === 'POST') return json(201, { ...answer, received: JSON.parse(call.body) as unknown });
    return json(200, answer);
  };

  const answer = (call: RecordedCall): Response => {
    const path = call.url.pathname;
    if (path === '/oauth/token' || path === '/oauth/revoke') {
      if (!clientOk(call.headers)) return json(401, { error: 'invalid_client' });
      const form = new URLSearchParams(call.body);
      if (path === '/oauth/token') return token(form);
      stats.revocations++;
      endRefreshToken(form.get('token') ?? '');
      return new Response(null, { status: 200 });
    }
    if (path === '/v1/contributions' || path === '/v1/statements') return api(call, path);
    return json(404, { error: 'not_found' });
  };

  const fetch: Fetch = async (url, init) => {
    const call: RecordedCall = {
      method: init.method ?? 'GET',
      url: new URL(url),
      headers: new Headers(init.headers),
      body: typeof init.body === 'string' ? init.body : '',
    };
    calls.push(call);
    const index = faults.findIndex(({ path }) => path.test(call.url.pathname));
    const set = faults[index];
    if (!set) return answer(call);
    if (--set.times === 0) faults.splice(index, 1);
    const { fault } = set;
    switch (fault.kind) {
      case 'answer':
        return new Response(fault.body, { status: fault.status, headers: fault.headers });
      case 'reset':
        throw new TypeError('fetch failed', { cause: new Error('ECONNRESET') });
      case 'drop-answer':
        answer(call);
        throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
      case 'hang':
        return aborted(init.signal);
      case 'hold':
        return Promise.race([fault.until.then(() => answer(call)), aborted(init.signal)]);
    }
  };

  return {
    fetch,
    calls,
    stats,
    /** The user consents at the URL `start` returned: the code and state CPFHub sends to the callback. */
    consent: (authorizeUrl: string, userId = 'S9812381D'): { code: string; state: string } => {
      const { searchParams } = new URL(authorizeUrl);
      const code = opaque();
      codes.set(code, {
        userId,
        scope: searchParams.get('scope') ?? '',
        redirectUri: searchParams.get('redirect_uri') ?? '',
        challenge: searchParams.get('code_challenge') ?? '',
        used: false,
      });
      return { code, state: searchParams.get('state') ?? '' };
    },
    /** The next `times` calls whose path matches meet `fault`. */
    fault: (path: RegExp, fault: Fault, times = 1) => {
      faults.push({ path, fault, times });
    },
    /** The user withdraws consent at CPFHub: every token of theirs ends. */
    withdraw: (userId = 'S9812381D') => {
      for (const [refreshToken, found] of refreshTokens)
        if (found.userId === userId) endRefreshToken(refreshToken);
    },
    /** CPFHub ends the current access tokens before the expiry it announced (the refresh tokens live). */
    endAccessTokens: () => {
      for (const access of accessTokens.values()) access.active = false;
    },
    /** Calls to paths matching `path`. */
    callsTo: (path: RegExp) => calls.filter((call) => path.test(call.url.pathname)),
  };
};

export type FakeCpfhub = ReturnType<typeof fakeCpfhub>;
