import type { RegisteredClient } from './context.ts';
import type { RateLimit } from './rate-limit.ts';
import { type CpfhubScope, isCpfhubScope } from './scopes.ts';

/** The simulator's settings, and the checks that turn a mistake in them into an error at start. */
export interface CpfhubSimulatorOptions {
  /** 0 picks any free port; always listens on 127.0.0.1 only. */
  port: number;
  /** Server-to-server credentials: each API key and the scopes it carries. */
  apiKeys: { key: string; scopes: string[] }[];
  /** Registered OAuth clients. */
  clients: { clientId: string; clientSecret: string; redirectUris: string[]; scopes: string[] }[];
  /** Access-token lifetime (default 300). Tests use a few seconds. */
  accessTokenSeconds?: number;
  /** Refresh-token lifetime (default 30 days). */
  refreshTokenSeconds?: number;
  /** undefined = unlimited. */
  rateLimit?: RateLimit;
}

export const DEFAULT_ACCESS_TOKEN_SECONDS = 300;
export const DEFAULT_REFRESH_TOKEN_SECONDS = 30 * 24 * 3600;

// RFC 6750's b64token: an API key outside it could never be sent as a Bearer token.
const B64TOKEN = /^[A-Za-z0-9._~+/-]+=*$/;

const knownScopes = (scopes: readonly string[], owner: string): CpfhubScope[] => {
  const unknown = scopes.filter((s) => !isCpfhubScope(s));
  if (unknown.length) throw new Error(`${owner} names unknown scopes: ${unknown.join(', ')}`);
  return scopes.filter(isCpfhubScope);
};

export const apiKeysFrom = (options: CpfhubSimulatorOptions): Map<string, readonly CpfhubScope[]> => {
  const keys = new Map<string, readonly CpfhubScope[]>();
  for (const { key, scopes } of options.apiKeys) {
    if (!B64TOKEN.test(key))
      throw new Error('an API key must be a non-empty Bearer token (RFC 6750 b64token)');
    if (keys.has(key)) throw new Error('an API key is listed twice');
    keys.set(key, knownScopes(scopes, 'an API key'));
  }
  return keys;
};

const isRedirectUri = (uri: string): boolean => {
  try {
    const url = new URL(uri);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.hash && !uri.includes('#');
  } catch {
    return false;
  }
};

export const clientsFrom = (options: CpfhubSimulatorOptions): Map<string, RegisteredClient> => {
  const clients = new Map<string, RegisteredClient>();
  for (const client of options.clients) {
    const owner = `client ${client.clientId}`;
    if (!client.clientId || !client.clientSecret)
      throw new Error('a client needs a clientId and a clientSecret');
    if (clients.has(client.clientId)) throw new Error(`${owner} is listed twice`);
    // No redirect URI is allowed: such a client can only refresh and revoke, never start a flow.
    if (!client.redirectUris.every(isRedirectUri)) {
      throw new Error(`${owner} needs absolute http(s) redirect URIs without a fragment`);
    }
    clients.set(client.clientId, {
      clientId: client.clientId,
      clientSecret: client.clientSecret,
      redirectUris: [...client.redirectUris],
      scopes: knownScopes(client.scopes, owner),
    });
  }
  return clients;
};

export const lifetime = (seconds: number | undefined, fallback: number, name: string): number => {
  const value = seconds ?? fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number of seconds`);
  return value;
};
