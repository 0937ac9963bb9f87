import * as z from 'zod/mini';

/** An EC P-256 private key as our secrets hold them: a JWK with a kid, so rotation can name it. */
export const PrivateEcJwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  kid: z.string().check(z.minLength(1)),
  x: z.string().check(z.minLength(1)),
  y: z.string().check(z.minLength(1)),
  d: z.string().check(z.minLength(1)),
});
export type PrivateEcJwk = z.infer<typeof PrivateEcJwk>;

/** The public half, safe to publish. */
export const publicPart = ({ d: _private, ...publicJwk }: PrivateEcJwk) => publicJwk;
