import * as z from 'zod/mini';

const EpochSeconds = z.int().check(z.nonnegative());

/**
 * When a key of a current-first list may be used, so keys rotate without a failed request.
 * Whoever verifies our signatures caches our JWKS, so a new key is published before it signs
 * (`activeFrom`, absent = already active); an old one stays published until nothing it signed or
 * sealed can still be in use (`retireAfter`, after which the rotation command drops it).
 * Both in epoch seconds; loaders never hide a listed key, they only skip one not yet active.
 */
export const KeyLifecycle = {
  activeFrom: z.optional(EpochSeconds),
  retireAfter: z.optional(EpochSeconds),
};

/** An EC P-256 private key as our secrets hold them: a JWK with a kid, so rotation can name it. */
export const PrivateEcJwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().check(z.minLength(1)),
  x: z.string().check(z.minLength(1)),
  y: z.string().check(z.minLength(1)),
  d: z.string().check(z.minLength(1)),
  ...KeyLifecycle,
});
export type PrivateEcJwk = z.infer<typeof PrivateEcJwk>;

/** The public half, safe to publish: no private part, and no schedule (ours, nobody else's business). */
export const publicPart = ({
  d: _private,
  activeFrom: _activeFrom,
  retireAfter: _retireAfter,
  ...publicJwk
}: PrivateEcJwk) => publicJwk;

export const epochSeconds = (at = Date.now()): number => Math.floor(at / 1000);

export const isActive = (key: { activeFrom?: number }, now: number): boolean =>
  key.activeFrom === undefined || key.activeFrom <= now;

/** The key that signs (or seals) at `now`: the first of a current-first list already active. */
export const firstActive = <K extends { activeFrom?: number }>(
  keys: readonly K[],
  now: number,
): K | undefined => keys.find((key) => isActive(key, now));
