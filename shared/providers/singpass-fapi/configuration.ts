import * as client from 'openid-client';
import { setting } from '../../config/env.ts';
import { ForbiddenError } from '../../http/errors.ts';
import { loadSingpassKeys, type RelyingPartyKeys } from '../../secrets/singpass-keys.ts';
import { expiring } from '../../util/expiring.ts';
import { MAX_PROOF_SECONDS } from './registration-rules.ts';

/** Singpass asks relying parties to cache its discovery document for at least an hour. */
const DISCOVERY_CACHE_MS = 60 * 60 * 1000;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Plain http only for an issuer on this machine: the local simulator, never anything reachable. */
const allowsInsecure = (issuer: URL) => issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);

/** What Singpass requires of a FAPI 2.0 client, declared so openid-client enforces it on every answer. */
const CLIENT_METADATA: Partial<client.ClientMetadata> = {
  token_endpoint_auth_method: 'private_key_jwt',
  token_endpoint_auth_signing_alg: 'ES256',
  id_token_signed_response_alg: 'ES256',
  userinfo_signed_response_alg: 'ES256',
  dpop_bound_access_tokens: true,
};

/**
 * The content encryptions we open: Singpass's guide names A256CBC-HS512 for the ID token and "the
 * same scheme" for userinfo, while its demo app reads userinfo as A256GCM. Nothing else passes.
 */
const CONTENT_ENCRYPTIONS = ['A256CBC-HS512', 'A256GCM'];
export const ID_TOKEN_CONTENT_ENCRYPTION = 'A256CBC-HS512';

/** Singpass wants `typ: JWT` on client assertions; openid-client sets none by default. */
const typedAssertion = {
  [client.modifyAssertion]: (header: Record<string, unknown>) => {
    header.typ = 'JWT';
  },
};

/** Singpass wants an `exp`, at most two minutes after `iat`, on every DPoP proof. */
export const expiringProof = {
  [client.modifyAssertion]: (_header: Record<string, unknown>, payload: Record<string, unknown>) => {
    if (typeof payload.iat === 'number') payload.exp = payload.iat + MAX_PROOF_SECONDS;
  },
};

const fapiKeys = async (): Promise<RelyingPartyKeys> => {
  const { fapi } = await loadSingpassKeys();
  if (!fapi) {
    throw new ForbiddenError(
      'provider_not_enabled',
      'Singpass FAPI 2.0 is not configured for this deployment.',
    );
  }
  return fapi;
};

const executeFor = (issuer: URL) => (allowsInsecure(issuer) ? [client.allowInsecureRequests] : []);
const timeoutSeconds = () => Math.ceil(setting('UPSTREAM_TIMEOUT_MS') / 1000);

/** The issuer's metadata, fetched once an hour whichever registration asks. */
const discoveredMetadata = expiring(
  async (issuer: string): Promise<client.ServerMetadata> => {
    const issuerUrl = new URL(issuer);
    const discovered = await client.discovery(issuerUrl, 'discovery', undefined, undefined, {
      execute: executeFor(issuerUrl),
      timeout: timeoutSeconds(),
    });
    return discovered.serverMetadata();
  },
  () => DISCOVERY_CACHE_MS,
);

const configure = (
  metadata: client.ServerMetadata,
  keys: RelyingPartyKeys,
  clientId: string,
): client.Configuration => {
  // private_key_jwt: openid-client signs a fresh assertion per call (aud = the issuer, 60 s life, unique jti).
  const config = new client.Configuration(
    metadata,
    clientId,
    CLIENT_METADATA,
    client.PrivateKeyJwt({ key: keys.signing.key, kid: keys.signing.kid }, typedAssertion),
  );
  for (const allow of executeFor(new URL(metadata.issuer))) allow(config);
  config.timeout = timeoutSeconds();
  client.enableDecryptingResponses(
    config,
    CONTENT_ENCRYPTIONS,
    ...[...keys.decryption].map(([kid, key]) => ({ key, kid, alg: 'ECDH-ES+A256KW' })),
  );
  // The ID token's and userinfo's signatures are checked against the issuer's JWKS, not just trusted over TLS.
  client.enableNonRepudiationChecks(config);
  return config;
};

let built:
  | { metadata: client.ServerMetadata; keys: RelyingPartyKeys; byClient: Map<string, client.Configuration> }
  | undefined;

/**
 * The FAPI client of one Singpass registration (an app's Login or Myinfo app). Every registration
 * shares our relying-party keys; all are rebuilt when the discovery or the Singpass secret is
 * re-read, so a key rotation reaches them as soon as it reaches the secret cache.
 */
export const fapiConfiguration = async (clientId: string): Promise<client.Configuration> => {
  const [metadata, keys] = await Promise.all([
    discoveredMetadata(setting('SINGPASS_FAPI_ISSUER')),
    fapiKeys(),
  ]);
  if (built?.metadata !== metadata || built.keys !== keys) {
    built = { metadata, keys, byClient: new Map() };
  }
  let config = built.byClient.get(clientId);
  if (!config) {
    config = configure(metadata, keys, clientId);
    built.byClient.set(clientId, config);
  }
  return config;
};
