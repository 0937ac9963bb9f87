import { type CryptoKey, importJWK } from 'jose';
import * as z from 'zod/mini';
import { parsedSecret } from '../core/parsed-secret.ts';
import type { SecretSource } from '../core/ports.ts';
import { type ConfiguredClientId, clientIdOf } from './client-id.ts';
import { epochSeconds, firstActive, PrivateEcJwk, publicPart } from './private-ec-jwk.ts';
import type { PublishedJwk } from './public-keys.ts';

/** The keys that sign our client assertions and the keys ID tokens are encrypted to. */
const KeySet = z.object({
  signingKeys: z.array(PrivateEcJwk).check(z.minLength(1)),
  encryptionKeys: z.array(PrivateEcJwk).check(z.minLength(1)),
});

/**
 * Our Singpass relying-party secret: the legacy (NDI OIDC) registration's keys at the top level
 * and, once onboarded, the FAPI 2.0 keys under `fapi`. Client ids are not secret: the legacy
 * registration's is configuration (SINGPASS_CLIENT_ID; a `clientId` here is its fallback, for
 * secrets written before), and under FAPI 2.0 each app's Login and Myinfo apps are registrations
 * of their own whose client ids live in the app's record. All of them share these keys and the
 * one JWKS that publishes them. Lists are current-first; every key in them is published so
 * Singpass can use any of them while a rotation settles. The first signing key already active
 * signs: a new one waits, published, until Singpass has it.
 */
export const SingpassSecret = z.extend(KeySet, {
  clientId: z.optional(z.string().check(z.minLength(1))),
  fapi: z.optional(KeySet),
});
export type SingpassSecret = z.infer<typeof SingpassSecret>;

export interface RelyingPartyKeys {
  signing: { kid: string; key: CryptoKey };
  /** By kid: an ID token's JWE header names the key it was encrypted to. */
  decryption: Map<string, CryptoKey>;
}

export interface SingpassKeys extends RelyingPartyKeys {
  /** The legacy registration's client id. */
  clientId: string;
  fapi?: RelyingPartyKeys;
}

const importRelyingParty = async (party: z.infer<typeof KeySet>): Promise<RelyingPartyKeys> => {
  const current = firstActive(party.signingKeys, epochSeconds());
  if (!current) throw new Error('no signing key is active yet');
  const decryption = new Map<string, CryptoKey>();
  for (const jwk of party.encryptionKeys) {
    decryption.set(jwk.kid, (await importJWK(jwk, 'ECDH-ES+A256KW')) as CryptoKey);
  }
  return {
    signing: { kid: current.kid, key: (await importJWK(current, 'ES256')) as CryptoKey },
    decryption,
  };
};

const publicJwksOf = (party: z.infer<typeof KeySet>): PublishedJwk[] => [
  ...party.signingKeys.map((jwk) => ({ ...publicPart(jwk), use: 'sig' as const, alg: 'ES256' as const })),
  ...party.encryptionKeys.map((jwk) => ({
    ...publicPart(jwk),
    use: 'enc' as const,
    alg: 'ECDH-ES+A256KW' as const,
  })),
];

/** What `/singpass/jwks` publishes: both registrations' keys, every one listed, in one JWKS. */
export const singpassPublicJwks = (secret: SingpassSecret): PublishedJwk[] => [
  ...publicJwksOf(secret),
  ...(secret.fapi ? publicJwksOf(secret.fapi) : []),
];

export const singpassKeysFrom = (
  secrets: SecretSource,
  secretId: () => string,
  configuredClientId: () => ConfiguredClientId,
) =>
  parsedSecret(secrets, secretId, async (raw): Promise<SingpassKeys> => {
    const secret = SingpassSecret.parse(JSON.parse(raw));
    const legacy = await importRelyingParty(secret);
    const fapi = secret.fapi ? await importRelyingParty(secret.fapi) : undefined;
    // Both registrations share one published JWKS, so an issuer may encrypt to any `enc` key in
    // it: either registration decrypts with whichever of our keys the JWE's kid names.
    const decryption = new Map([...legacy.decryption, ...(fapi?.decryption ?? [])]);
    return {
      ...legacy,
      // Read when a legacy flow needs it: a deployment on FAPI 2.0 alone may name none.
      get clientId() {
        return clientIdOf(configuredClientId(), secret.clientId);
      },
      decryption,
      ...(fapi ? { fapi: { ...fapi, decryption } } : {}),
    };
  });
