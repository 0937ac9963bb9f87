import { type CryptoKey, importJWK, type JWK } from 'jose';
import * as z from 'zod/mini';
import { setting } from '../config/env.ts';
import { cachedSecret } from './cached-secret.ts';
import { PrivateEcJwk, publicPart } from './private-ec-jwk.ts';

/** Secpass's token-signing secret: `{ "keys": [ <EC P-256 private JWK with kid>, … ] }`, current first. */
export const SigningSecret = z.object({ keys: z.array(PrivateEcJwk).check(z.minLength(1)) });
export type SigningSecret = z.infer<typeof SigningSecret>;

export interface SigningKeys {
  current: { kid: string; key: CryptoKey };
  /** Every key still published, so tokens signed before a rotation keep verifying. */
  publicJwks: JWK[];
}

export const loadSigningKeys = cachedSecret(
  () => setting('SECPASS_SIGNING_SECRET_ID'),
  async (raw): Promise<SigningKeys> => {
    const { keys } = SigningSecret.parse(JSON.parse(raw));
    const [first] = keys;
    if (!first) throw new Error('no signing key');
    return {
      current: { kid: first.kid, key: (await importJWK(first, 'ES256')) as CryptoKey },
      publicJwks: keys.map((jwk) => ({ ...publicPart(jwk), alg: 'ES256', use: 'sig' })),
    };
  },
);
