import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import * as z from 'zod/mini';
import type { FlowContext } from '../../core/flow-context.ts';
import { parseUpstreamJson } from '../../core/upstream-client.ts';
import { expiring } from '../../util/expiring.ts';

const Discovery = z.object({
  issuer: z.string().check(z.minLength(1)),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});

/** Singpass (NDI OIDC) as its discovery document describes it. */
export interface SingpassIssuer {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** Singpass's signing keys, cached; an ID token with an unknown kid triggers one refetch. */
  keys: JWTVerifyGetKey;
}

// Discovery rarely changes; an hour keeps a warm container from asking on every login.
const DISCOVERY_CACHE_SECONDS = 60 * 60;

/**
 * The issuer `discoveryUrl` describes, fetched on first use and again an hour later (by the
 * context's clock) or when the URL changes; a failed fetch is not cached. The JWKS is fetched
 * through the context's fetch.
 */
export const singpassDiscovery = (
  config: { readonly discoveryUrl: string; readonly timeoutMs: number },
  context: Pick<FlowContext, 'clock' | 'fetch' | 'http'>,
): (() => Promise<SingpassIssuer>) => {
  const cached = expiring(
    async (discoveryUrl: string) => {
      const { body } = await context.http.call('Singpass', discoveryUrl, {
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
          timeoutDuration: config.timeoutMs,
          cooldownDuration: 0,
          [customFetch]: (url, options) => context.fetch(url, options),
        }),
      };
    },
    () => DISCOVERY_CACHE_SECONDS,
    () => context.clock.nowSeconds(),
  );
  return () => cached(config.discoveryUrl);
};
