import type { Call } from '../http.ts';
import { apiErrorOf, joseOf, jsonOf, locationOf } from '../http.ts';
import type { CpfhubGrant } from '../payloads.ts';
import type { OpenedDataToken, TokenChecks } from '../tokens.ts';

export type CpfhubQuery = Record<string, string | number>;

/** CPFHub calls, answered with CPFHub's JSON body (or a `SecpassApiError`). */
export interface CpfhubCalls {
  /** e.g. `get('contributions', { year: 2025, month: 4 })`. */
  get<T = unknown>(path: string, query?: CpfhubQuery): Promise<T>;
  /** e.g. `post('contributions', { … })`. */
  post<T = unknown>(path: string, body: unknown, query?: CpfhubQuery): Promise<T>;
}

export interface CpfhubRoutes extends CpfhubCalls {
  /** `GET /cpfhub/oauth/init`: where to send the user's browser to consent to these scopes. */
  oauthUrl(scope: string | readonly string[]): Promise<string>;
  /** `GET /cpfhub/oauth/token`: the code and state your CPFHub callback received, as the opened grant. */
  grantToken(code: string, state: string): Promise<OpenedDataToken<CpfhubGrant>>;
  /** CPFHub as the user who granted `grantId` (`/cpfhub/user/…` with `X-Secpass-Grant`). */
  user(grantId: string): CpfhubCalls;
  /** `DELETE /cpfhub/oauth/grant`: revoked at CPFHub, then forgotten by Secpass. */
  revokeGrant(grantId: string): Promise<void>;
}

// The path names a CPFHub call (the allow-list decides which pass); the query goes apart, so a
// path cannot smuggle one in or climb out of the proxy's prefix.
const CPFHUB_PATH = /^[A-Za-z0-9_-]+(?:\/[A-Za-z0-9_-]+)*$/;

const cpfhubPath = (prefix: string, path: string) => {
  const trimmed = path.replace(/^\/+/, '');
  if (!CPFHUB_PATH.test(trimmed)) throw new TypeError(`not a CPFHub path: ${JSON.stringify(path)}`);
  return `${prefix}/${trimmed}`;
};

const grantHeader = (grantId: string) => ({ 'X-Secpass-Grant': grantId });

const calls = (call: Call, prefix: string, headers: Record<string, string>): CpfhubCalls => ({
  get: async <T>(path: string, query?: CpfhubQuery) =>
    jsonOf<T>(await call({ method: 'GET', path: cpfhubPath(prefix, path), query, headers })),
  post: async <T>(path: string, body: unknown, query?: CpfhubQuery) =>
    jsonOf<T>(await call({ method: 'POST', path: cpfhubPath(prefix, path), query, json: body, headers })),
});

export const cpfhubRoutes = (call: Call, tokens: TokenChecks): CpfhubRoutes => ({
  ...calls(call, '/cpfhub', {}),
  oauthUrl: async (scope) => {
    const scopes = typeof scope === 'string' ? scope : scope.join(' ');
    return locationOf(await call({ method: 'GET', path: '/cpfhub/oauth/init', query: { scope: scopes } }));
  },
  grantToken: async (code, state) =>
    tokens.openDataToken<CpfhubGrant>(
      await joseOf(await call({ method: 'GET', path: '/cpfhub/oauth/token', query: { code, state } })),
    ),
  user: (grantId) => calls(call, '/cpfhub/user', grantHeader(grantId)),
  revokeGrant: async (grantId) => {
    const answer = await call({
      method: 'DELETE',
      path: '/cpfhub/oauth/grant',
      headers: grantHeader(grantId),
    });
    if (answer.status !== 200) throw await apiErrorOf(answer);
    await answer.body?.cancel();
  },
});
