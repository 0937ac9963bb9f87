import * as client from 'openid-client';
import { MAX_PROOF_SECONDS } from '../../apps/fapi-registration-rules.ts';
import { AccessRefused } from '../../core/errors.ts';
import type { Clock, Fetch, SecretSource } from '../../core/ports.ts';
import type { ConfiguredClientId } from '../../secrets/client-id.ts';
import { type RelyingPartyKeys, type SingpassKeys, singpassKeysFrom } from '../../secrets/singpass-keys.ts';
import { expiring } from '../../util/expiring.ts';

/** Singpass FAPI 2.0, as a relying party sees it. */
export interface SingpassFapiConfig {
  /** e.g. https://stg-id.singpass.gov.sg/fapi (discovery hangs off it). */
  readonly issuer: string;
  /** How long any one call to the issuer may take. */
  readonly timeoutMs: number;
}

/**
 * Our Singpass relying-party secret: the keys the legacy registration and every FAPI 2.0
 * registration share (one published JWKS), and in an older secret the legacy client id.
 */
export interface SingpassSecretConfig {
  readonly secretId: string;
  /** The legacy (NDI OIDC) registration's client id; the secret's `clientId` is its fallback. */
  readonly legacyClientId: ConfiguredClientId;
}

/** Our Singpass keys, derived once per read of the secret; the configuration is read when used. */
export const singpassKeys = (
  secrets: SecretSource,
  config: SingpassSecretConfig,
): (() => Promise<SingpassKeys>) =>
  singpassKeysFrom(
    secrets,
    () => config.secretId,
    () => config.legacyClientId,
  );

/** Singpass asks relying parties to cache its discovery document for at least an hour. */
const DISCOVERY_CACHE_SECONDS = 60 * 60;

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

/**
 * openid-client reads the system clock; this is how far the Clock is from it, which openid-client
 * adds to every time it writes (assertion and DPoP proof `iat`/`exp`) or checks (ID token and
 * userinfo `iat`/`exp`). A deployment's clock is the system's: the two reads may straddle a
 * second, which is no skew.
 */
const skewOf = (clock: Clock): number => {
  const skew = clock.nowSeconds() - Math.floor(Date.now() / 1000);
  return Math.abs(skew) <= 1 ? 0 : skew;
};

/** The FAPI clients of one issuer: one per Singpass registration (an app's Login or Myinfo app). */
export interface FapiClients {
  forClient(clientId: string): Promise<client.Configuration>;
}

export const fapiClients = (
  config: SingpassFapiConfig,
  { clock, fetch }: { clock: Clock; fetch: Fetch },
  keys: () => Promise<SingpassKeys>,
): FapiClients => {
  const customFetch: client.CustomFetch = (url, options) => fetch(url, options);
  const timeoutSeconds = () => Math.ceil(config.timeoutMs / 1000);
  const executeFor = (issuer: URL) => (allowsInsecure(issuer) ? [client.allowInsecureRequests] : []);

  /** The issuer's metadata, fetched once an hour whichever registration asks, and when the issuer changes. */
  const metadata = expiring(
    async (issuer: string) => {
      const issuerUrl = new URL(issuer);
      const discovered = await client.discovery(issuerUrl, 'discovery', undefined, undefined, {
        execute: executeFor(issuerUrl),
        timeout: timeoutSeconds(),
        [client.customFetch]: customFetch,
      });
      return discovered.serverMetadata();
    },
    () => DISCOVERY_CACHE_SECONDS,
    () => clock.nowSeconds(),
  );

  const fapiKeys = async (): Promise<RelyingPartyKeys> => {
    const { fapi } = await keys();
    if (!fapi) {
      throw new AccessRefused(
        'provider_not_enabled',
        'Singpass FAPI 2.0 is not configured for this deployment.',
      );
    }
    return fapi;
  };

  const configure = (
    server: client.ServerMetadata,
    relyingParty: RelyingPartyKeys,
    clientId: string,
    { skew, timeout }: { skew: number; timeout: number },
  ): client.Configuration => {
    // private_key_jwt: openid-client signs a fresh assertion per call (aud = the issuer, 60 s life, unique jti).
    const configuration = new client.Configuration(
      server,
      clientId,
      { ...CLIENT_METADATA, [client.clockSkew]: skew },
      client.PrivateKeyJwt({ key: relyingParty.signing.key, kid: relyingParty.signing.kid }, typedAssertion),
    );
    for (const allow of executeFor(new URL(server.issuer))) allow(configuration);
    configuration.timeout = timeout;
    configuration[client.customFetch] = customFetch;
    client.enableDecryptingResponses(
      configuration,
      CONTENT_ENCRYPTIONS,
      ...[...relyingParty.decryption].map(([kid, key]) => ({ key, kid, alg: 'ECDH-ES+A256KW' })),
    );
    // The ID token's and userinfo's signatures are checked against the issuer's JWKS, not just trusted over TLS.
    client.enableNonRepudiationChecks(configuration);
    return configuration;
  };

  let built:
    | {
        metadata: client.ServerMetadata;
        keys: RelyingPartyKeys;
        skew: number;
        timeout: number;
        byClient: Map<string, client.Configuration>;
      }
    | undefined;

  return {
    /**
     * Every registration shares our relying-party keys; all are rebuilt when the discovery or the
     * Singpass secret is re-read, so a key rotation reaches them as soon as it reaches the secret
     * cache.
     */
    forClient: async (clientId) => {
      const [server, relyingParty] = await Promise.all([metadata(config.issuer), fapiKeys()]);
      const settings = { skew: skewOf(clock), timeout: timeoutSeconds() };
      if (
        built?.metadata !== server ||
        built.keys !== relyingParty ||
        built.skew !== settings.skew ||
        built.timeout !== settings.timeout
      ) {
        built = { metadata: server, keys: relyingParty, ...settings, byClient: new Map() };
      }
      let configuration = built.byClient.get(clientId);
      if (!configuration) {
        configuration = configure(server, relyingParty, clientId, settings);
        built.byClient.set(clientId, configuration);
      }
      return configuration;
    },
  };
};
