import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import * as z from 'zod/mini';
import { setting } from '../../config/env.ts';
import { callUpstream, parseUpstreamJson } from '../../http/upstream.ts';
import { expiring } from '../../util/expiring.ts';

const Discovery = z.object({
  issuer: z.string().check(z.minLength(1)),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});

export interface SingpassProvider {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Singpass's signing keys, cached; an ID token with an unknown kid triggers one refetch. */
  keys: JWTVerifyGetKey;
}

// Discovery rarely changes; an hour keeps a warm container from asking on every login.
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const fetchProvider = async (url: string): Promise<SingpassProvider> => {
  const { body } = await callUpstream('Singpass', url, {
    method: 'GET',
    headers: { Accept: 'application/json' },
  });
  const document = parseUpstreamJson('Singpass', Discovery, body);
  return {
    issuer: document.issuer,
    authorizationEndpoint: document.authorization_endpoint,
    tokenEndpoint: document.token_endpoint,
    // No cooldown: ID tokens reach us only from Singpass's own token endpoint, so an unknown kid
    // means Singpass rotated, and the very next login must succeed, not wait out a cooldown.
    keys: createRemoteJWKSet(new URL(document.jwks_uri), {
      timeoutDuration: setting('UPSTREAM_TIMEOUT_MS'),
      cooldownDuration: 0,
    }),
  };
};

const provider = expiring(fetchProvider, () => DISCOVERY_TTL_MS);

/** The provider described by SINGPASS_DISCOVERY_URL; a failed fetch is not cached. */
export const singpassProvider = (): Promise<SingpassProvider> => provider(setting('SINGPASS_DISCOVERY_URL'));
