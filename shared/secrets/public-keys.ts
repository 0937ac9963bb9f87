import * as z from 'zod/mini';
import { parsedSecret } from '../core/parsed-secret.ts';
import type { SecretSource } from '../core/ports.ts';

/**
 * The public halves of our keys, in a secret of their own so that the public JWKS function reads
 * no private key: `{ "secpass": [JWK…], "singpass": [JWK…] }`. The key-rotation command
 * (`npm run keys`) writes it alongside the private secrets; nobody edits it by hand.
 */

/** A published key. Strict: a private part (`d`) or a schedule written here by mistake is refused, never published. */
export const PublishedJwk = z.strictObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().check(z.minLength(1)),
  x: z.string().check(z.minLength(1)),
  y: z.string().check(z.minLength(1)),
  use: z.enum(['sig', 'enc']),
  alg: z.enum(['ES256', 'ECDH-ES+A256KW']),
});
export type PublishedJwk = z.infer<typeof PublishedJwk>;

/** Which JWKS a list is published at: Secpass's token keys, or our Singpass relying-party keys. */
export const PUBLISHED_KEY_SETS = ['secpass', 'singpass'] as const;
export type PublishedKeySet = (typeof PUBLISHED_KEY_SETS)[number];

export const PublicKeysSecret = z.object({
  secpass: z.optional(z.array(PublishedJwk)),
  singpass: z.optional(z.array(PublishedJwk)),
});
export type PublicKeysSecret = z.infer<typeof PublicKeysSecret>;

/** The public keys secret names no list for a JWKS: the keys were never published. */
export class UnpublishedKeysError extends Error {
  override readonly name = 'UnpublishedKeysError';
  readonly code = 'keys_not_published';
  constructor(readonly keySet: PublishedKeySet) {
    super(`no "${keySet}" keys are published: run \`npm run keys -- publish\``);
  }
}

/** Every key of a set not yet retired, current first, as published. */
export const publishedJwksFrom = (secrets: SecretSource, secretId: () => string) => {
  const publicKeys = parsedSecret(
    secrets,
    secretId,
    (raw): PublicKeysSecret => PublicKeysSecret.parse(JSON.parse(raw)),
  );
  return async (keySet: PublishedKeySet): Promise<PublishedJwk[]> => {
    const keys = (await publicKeys())[keySet];
    if (!keys) throw new UnpublishedKeysError(keySet);
    return keys;
  };
};
