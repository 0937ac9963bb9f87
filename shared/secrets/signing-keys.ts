import { type CryptoKey, importJWK } from 'jose';
import * as z from 'zod/mini';
import { parsedSecret } from '../core/parsed-secret.ts';
import type { SecretSource } from '../core/ports.ts';
import { epochSeconds, firstActive, PrivateEcJwk, publicPart } from './private-ec-jwk.ts';
import type { PublishedJwk } from './public-keys.ts';

/**
 * Secpass's token-signing secret: `{ "keys": [ <EC P-256 private JWK with kid>, … ] }`, current
 * first. The first key already active signs (a newer one may wait first, published but unused).
 */
export const SigningSecret = z.object({ keys: z.array(PrivateEcJwk).check(z.minLength(1)) });
export type SigningSecret = z.infer<typeof SigningSecret>;

export interface SigningKeys {
  /** Chosen when the secret is read, so a pending key starts signing at most SECRETS_CACHE_SECONDS late. */
  current: { kid: string; key: CryptoKey };
}

/**
 * What `/.well-known/jwks.json` publishes: every listed key, pending and retiring too, so tokens
 * signed before a rotation keep verifying and a pending key is known before it signs.
 */
export const signingPublicJwks = ({ keys }: SigningSecret): PublishedJwk[] =>
  keys.map((jwk) => ({ ...publicPart(jwk), alg: 'ES256', use: 'sig' }));

export const signingKeysFrom = (secrets: SecretSource, secretId: () => string) =>
  parsedSecret(secrets, secretId, async (raw): Promise<SigningKeys> => {
    const { keys } = SigningSecret.parse(JSON.parse(raw));
    const current = firstActive(keys, epochSeconds());
    if (!current) throw new Error('no signing key is active yet');
    return { current: { kid: current.kid, key: (await importJWK(current, 'ES256')) as CryptoKey } };
  });
