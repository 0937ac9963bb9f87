import type * as z from 'zod/mini';
import {
  PUBLISHED_KEY_SETS,
  type PublicKeysSecret,
  PublicKeysSecret as PublicKeysSecretSchema,
  type PublishedJwk,
  type PublishedKeySet,
} from './public-keys.ts';
import type { KeySet } from './rotation.ts';
import { SigningSecret, signingPublicJwks } from './signing-keys.ts';
import { SingpassSecret, singpassPublicJwks } from './singpass-keys.ts';

/**
 * What the public keys secret holds, derived from the private secrets: run by the key-rotation
 * command (and the local runtime) whenever a private secret with published keys is written, so
 * the JWKS function never needs to read one.
 */

export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    readonly code: 'invalid_secret' | 'unreadable_secret',
    message: string,
  ) {
    super(message);
  }
}

/** Which JWKS publishes a rotated key set's public halves; CPFHub's sealing keys have none. */
export const PUBLISHED_AS: Record<KeySet, PublishedKeySet | undefined> = {
  'secpass-signing': 'secpass',
  'singpass-rp': 'singpass',
  'singpass-fapi': 'singpass',
  'cpfhub-token': undefined,
  'state-keys': undefined,
};

/** The secret each published set is derived from. */
export const SOURCE_SECRET: Record<PublishedKeySet, string> = {
  secpass: 'the signing secret',
  singpass: 'the Singpass secret',
};

const parsed = <T>(schema: z.ZodMiniType<T>, json: string, what: string): T => {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new PublishError('unreadable_secret', `${what} is not JSON`);
  }
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // Paths only: values in a secret are secret.
  const paths = result.error.issues.map((issue) => issue.path.join('.') || '(top)');
  throw new PublishError('invalid_secret', `${what} is not valid at ${[...new Set(paths)].join(', ')}`);
};

/** The public halves of a private secret's keys, as its JWKS publishes them. */
export const publishedKeysOf = (keySet: PublishedKeySet, privateSecret: string): PublishedJwk[] =>
  keySet === 'secpass'
    ? signingPublicJwks(parsed(SigningSecret, privateSecret, SOURCE_SECRET.secpass))
    : singpassPublicJwks(parsed(SingpassSecret, privateSecret, SOURCE_SECRET.singpass));

/** A private secret still holding the deployment's `{}` placeholder has nothing to publish yet. */
export const isUnfilled = (secret: string | undefined): boolean =>
  secret === undefined || secret.trim() === '' || secret.trim() === '{}';

/**
 * The public keys secret with one set replaced by what `privateSecret` publishes, the other set
 * kept as it was. `current` may be the `{}` placeholder.
 */
export const withPublishedKeys = (
  current: string | undefined,
  keySet: PublishedKeySet,
  privateSecret: string,
): string => {
  const existing: PublicKeysSecret = isUnfilled(current)
    ? {}
    : parsed(PublicKeysSecretSchema, current ?? '', 'the public keys secret');
  const next: PublicKeysSecret = { ...existing, [keySet]: publishedKeysOf(keySet, privateSecret) };
  // A stable key order, so an unchanged publication writes an identical secret.
  return JSON.stringify(
    Object.fromEntries(PUBLISHED_KEY_SETS.flatMap((set) => (next[set] ? [[set, next[set]]] : []))),
  );
};
