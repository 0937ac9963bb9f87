import * as client from 'openid-client';
import { setting } from '../../config/env.ts';
import { ForbiddenError } from '../../http/errors.ts';
import { loadSingpassKeys, type RelyingPartyKeys } from '../../secrets/singpass-keys.ts';
import { expiring } from '../../util/expiring.ts';

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
  id_token_encrypted_response_alg: 'ECDH-ES+A256KW',
  id_token_encrypted_response_enc: 'A256CBC-HS512',
  userinfo_signed_response_alg: 'ES256',
  userinfo_encrypted_response_alg: 'ECDH-ES+A256KW',
  userinfo_encrypted_response_enc: 'A256CBC-HS512',
  dpop_bound_access_tokens: true,
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

/** The issuer's metadata: discovery is fetched once an hour, whatever keys we hold meanwhile. */
const discoveredMetadata = expiring(
  async (issuer: string): Promise<client.ServerMetadata> => {
    const issuerUrl = new URL(issuer);
    const { clientId } = await fapiKeys();
    const discovered = await client.discovery(issuerUrl, clientId, undefined, undefined, {
      execute: executeFor(issuerUrl),
      timeout: Math.ceil(setting('UPSTREAM_TIMEOUT_MS') / 1000),
    });
    return discovered.serverMetadata();
  },
  () => DISCOVERY_CACHE_MS,
);

const configure = (metadata: client.ServerMetadata, keys: RelyingPartyKeys): client.Configuration => {
  // private_key_jwt: openid-client signs a fresh assertion per call (aud = the issuer, 60 s life).
  const config = new client.Configuration(
    metadata,
    keys.clientId,
    CLIENT_METADATA,
    client.PrivateKeyJwt({ key: keys.signing.key, kid: keys.signing.kid }),
  );
  for (const allow of executeFor(new URL(metadata.issuer))) allow(config);
  config.timeout = Math.ceil(setting('UPSTREAM_TIMEOUT_MS') / 1000);
  client.enableDecryptingResponses(
    config,
    ['A256CBC-HS512'],
    ...[...keys.decryption].map(([kid, key]) => ({ key, kid, alg: 'ECDH-ES+A256KW' })),
  );
  // The ID token's and userinfo's signatures are checked against the issuer's JWKS, not just trusted over TLS.
  client.enableNonRepudiationChecks(config);
  return config;
};

let built:
  | { metadata: client.ServerMetadata; keys: RelyingPartyKeys; config: client.Configuration }
  | undefined;

/**
 * The FAPI client for this deployment's issuer. It is rebuilt when either the discovery or the
 * Singpass secret is re-read, so a key rotation reaches it as soon as it reaches the secret cache.
 */
export const fapiConfiguration = async (): Promise<client.Configuration> => {
  const [metadata, keys] = await Promise.all([
    discoveredMetadata(setting('SINGPASS_FAPI_ISSUER')),
    fapiKeys(),
  ]);
  if (built?.metadata !== metadata || built.keys !== keys) {
    built = { metadata, keys, config: configure(metadata, keys) };
  }
  return built.config;
};
