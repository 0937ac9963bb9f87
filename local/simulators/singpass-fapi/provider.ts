import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import Provider, { type Configuration, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { type HeadlessLogins, personFromHeaders } from './login.ts';
import { memoryAdapterFactory } from './memory-adapter.ts';
import { MYINFO_SCOPES, personInfo } from './personas.ts';

/**
 * panva's oidc-provider configured as strictly as Singpass's FAPI 2.0 issuer: PAR only, PKCE S256,
 * DPoP on every call, private_key_jwt with short ES256 assertions aimed at the issuer, and ID
 * tokens and userinfo signed ES256 then encrypted to the client's published key.
 */

export interface FapiClient {
  clientId: string;
  redirectUris: string[];
  /** Where the client publishes its signing and encryption keys, as Singpass reads them. */
  jwksUri: string;
}

/** Singpass's ceiling on a client assertion's lifetime. */
const MAX_ASSERTION_SECONDS = 120;

const ENCRYPTED_ES256 = {
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'ES256',
  id_token_signed_response_alg: 'ES256',
  id_token_encrypted_response_alg: 'ECDH-ES+A256KW',
  id_token_encrypted_response_enc: 'A256CBC-HS512',
  userinfo_signed_response_alg: 'ES256',
  userinfo_encrypted_response_alg: 'ECDH-ES+A256KW',
  userinfo_encrypted_response_enc: 'A256CBC-HS512',
  dpop_bound_access_tokens: true,
  grant_types: ['authorization_code'],
  response_types: ['code'],
} as const;

/** The library's default keeps aud = issuer under FAPI 2.0; Singpass also caps the lifetime. */
const assertShortLivedAssertion = (claims: Record<string, unknown>, issuer: string) => {
  if (claims.aud !== issuer) {
    throw new errors.InvalidClientAuth('audience (aud) must equal the issuer identifier url');
  }
  const { iat, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > MAX_ASSERTION_SECONDS) {
    throw new errors.InvalidClientAuth(
      `the assertion must carry iat and live at most ${MAX_ASSERTION_SECONDS} s`,
    );
  }
};

/** Singpass takes a DPoP proof on the PAR too, so the code is bound to the key before login. */
const requireDpopOnPar = async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
  if (ctx.method === 'POST' && ctx.path === '/request' && !ctx.get('dpop')) {
    ctx.status = 400;
    ctx.body = { error: 'invalid_dpop_proof', error_description: 'a DPoP proof is required' };
    return;
  }
  await next();
};

/**
 * The library refuses to fetch from special-use addresses (SSRF protection), yet here every client
 * JWKS is on this machine: drop that dispatcher, and refuse anything that is not loopback instead.
 */
const fetchOnLoopback = (
  url: string | URL | Request,
  options: RequestInit & { dispatcher?: unknown } = {},
) => {
  const { dispatcher: _ssrfGuard, ...rest } = options;
  const target = new URL(url instanceof Request ? url.url : url);
  if (target.hostname !== '127.0.0.1') throw new Error('the simulator fetches only from loopback');
  return globalThis.fetch(target, rest);
};

export interface IssuerSetup {
  issuer: string;
  clients: FapiClient[];
  signingJwk: JWK;
  /** Who each subject (a Singpass uuid) is: the NRIC their Myinfo data is found by. */
  nricOf(uuid: string): string | undefined;
  headless: HeadlessLogins;
}

export const createProvider = ({ issuer, clients, signingJwk, nricOf, headless }: IssuerSetup): Provider => {
  const configuration: Configuration = {
    adapter: memoryAdapterFactory(),
    clients: clients.map((client) => ({
      client_id: client.clientId,
      redirect_uris: client.redirectUris,
      jwks_uri: client.jwksUri,
      ...ENCRYPTED_ES256,
    })),
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      dPoP: { enabled: true },
      encryption: { enabled: true },
      jwtUserinfo: { enabled: true },
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },
    clientAuthMethods: ['private_key_jwt'],
    responseTypes: ['code'],
    assertJwtClientAuthClaimsAndHeader: (_ctx, claims) => assertShortLivedAssertion(claims, issuer),
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256'],
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
      dPoPSigningAlgValues: ['ES256'],
      idTokenEncryptionAlgValues: ['ECDH-ES+A256KW'],
      idTokenEncryptionEncValues: ['A256CBC-HS512'],
      userinfoEncryptionAlgValues: ['ECDH-ES+A256KW'],
      userinfoEncryptionEncValues: ['A256CBC-HS512'],
    },
    pkce: { required: () => true },
    fetch: fetchOnLoopback,
    scopes: ['openid', ...MYINFO_SCOPES],
    // Every Myinfo scope releases the one nested `person_info` claim, filled for the scopes granted.
    claims: {
      openid: ['sub'],
      ...Object.fromEntries(MYINFO_SCOPES.map((scope) => [scope, ['person_info']])),
    },
    findAccount: (_ctx, sub) => {
      const nric = nricOf(sub);
      if (!nric) return undefined;
      return {
        accountId: sub,
        claims: (use, scope) =>
          use === 'userinfo' ? { sub, person_info: personInfo(nric, scope) } : { sub },
      };
    },
    interactions: {
      // The authorise request is the one that may name the person; the interaction comes after it.
      url: (ctx, interaction) => {
        const person = personFromHeaders(ctx.req);
        if (person) headless.remember(interaction.uid, person);
        return `/interaction/${interaction.uid}`;
      },
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      PushedAuthorizationRequest: 60,
      Interaction: 600,
      Session: 600,
      Grant: 600,
      IdToken: 600,
    },
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.use(requireDpopOnPar);
  return provider;
};
