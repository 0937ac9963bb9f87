import { z } from 'zod';

const PublicEcJwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  kid: z.string().optional(),
});

const HttpsOrLoopbackUrl = z.url().refine((value) => {
  const url = new URL(value);
  return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}, 'callback URLs must be https (plain http only on loopback)');

export const MyinfoSettings = z.object({
  callbackUrl: HttpsOrLoopbackUrl,
  attributes: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1),
  purpose: z.string().min(1).max(200),
  /** Myinfo's `subentity`: the platform client the data is for (≤ 10 characters). */
  subentity: z.string().max(10).optional(),
});

/** An application onboarded to Secpass. The API key itself is never stored, only its SHA-256. */
export const AppRecord = z.object({
  appId: z.string().min(1),
  name: z.string().min(1),
  status: z.enum(['active', 'disabled']),
  apiKeyHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The app's EC P-256 public key: data-bearing Secpass tokens are encrypted to it. */
  publicJwk: PublicEcJwk,
  providers: z.object({ myinfo: MyinfoSettings.optional() }),
  createdAt: z.string(),
});

export type AppRecord = z.infer<typeof AppRecord>;
export type MyinfoSettings = z.infer<typeof MyinfoSettings>;
