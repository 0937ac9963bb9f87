import { type CryptoKey, importJWK, type JWK } from 'jose';
import * as z from 'zod/mini';
import { setting } from '../config/env.ts';
import { cachedSecret } from './cached-secret.ts';
import { PrivateEcJwk, publicPart } from './private-ec-jwk.ts';

/**
 * Our Singpass relying-party secret: the client id, the EC keys that sign client assertions
 * and the EC keys ID tokens are encrypted to. Lists are current-first; every key in them is
 * published in the RP JWKS so Singpass can use any of them while a rotation settles.
 */
export const SingpassSecret = z.object({
  clientId: z.string().check(z.minLength(1)),
  signingKeys: z.array(PrivateEcJwk).check(z.minLength(1)),
  encryptionKeys: z.array(PrivateEcJwk).check(z.minLength(1)),
});
export type SingpassSecret = z.infer<typeof SingpassSecret>;

export interface SingpassKeys {
  clientId: string;
  signing: { kid: string; key: CryptoKey };
  /** By kid: the ID token's JWE header names the key it was encrypted to. */
  decryption: Map<string, CryptoKey>;
  publicJwks: JWK[];
}

export const loadSingpassKeys = cachedSecret(
  () => setting('SINGPASS_SECRET_ID'),
  async (raw): Promise<SingpassKeys> => {
    const secret = SingpassSecret.parse(JSON.parse(raw));
    const [current] = secret.signingKeys;
    if (!current) throw new Error('no signing key');
    const decryption = new Map<string, CryptoKey>();
    for (const jwk of secret.encryptionKeys) {
      decryption.set(jwk.kid, (await importJWK(jwk, 'ECDH-ES+A256KW')) as CryptoKey);
    }
    return {
      clientId: secret.clientId,
      signing: { kid: current.kid, key: (await importJWK(current, 'ES256')) as CryptoKey },
      decryption,
      publicJwks: [
        ...secret.signingKeys.map((jwk) => ({ ...publicPart(jwk), use: 'sig', alg: 'ES256' })),
        ...secret.encryptionKeys.map((jwk) => ({ ...publicPart(jwk), use: 'enc', alg: 'ECDH-ES+A256KW' })),
      ],
    };
  },
);
