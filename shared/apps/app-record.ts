import * as z from 'zod/mini';
import { CPFHUB_SCOPES } from '../providers/cpfhub/allow-list.ts';

const PublicEcJwk = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().check(z.minLength(1)),
  y: z.string().check(z.minLength(1)),
  kid: z.optional(z.string()),
});

const HttpsOrLoopbackUrl = z.url().check(
  z.refine((value) => {
    const url = new URL(value);
    return url.protocol === 'https:' || ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  }, 'callback URLs must be https (plain http only on loopback)'),
);

/** Which upstream protocol serves an app: the legacy one the specs describe, or Singpass FAPI 2.0. */
export const UpstreamProfile = z.enum(['legacy', 'fapi2']);

export const MyinfoSettings = z.object({
  callbackUrl: HttpsOrLoopbackUrl,
  attributes: z.array(z.string().check(z.regex(/^[a-z0-9-]+$/))).check(z.minLength(1)),
  purpose: z.string().check(z.minLength(1), z.maxLength(200)),
  /** Myinfo's `subentity`: the platform client the data is for (≤ 10 characters). */
  subentity: z.optional(z.string().check(z.maxLength(10))),
});

/** Myinfo itself may move to Myinfo v5 over FAPI 2.0; Myinfo Business keeps MyinfoSettings. */
export const MyinfoPersonSettings = z.extend(MyinfoSettings, { profile: z.optional(UpstreamProfile) });

export const SingpassSettings = z.object({
  callbackUrl: HttpsOrLoopbackUrl,
  profile: z.optional(UpstreamProfile),
});

/** SG-Verify calls Secpass's own callback, so an app names only what it may read. */
export const SgVerifySettings = z.object({
  attributes: z.array(z.string().check(z.regex(/^[a-z0-9-]+$/))).check(z.minLength(1)),
  subentity: z.optional(z.string().check(z.maxLength(10))),
});

/**
 * CPFHub: the scopes the app may reach, through the API-key proxy and in users' OAuth grants;
 * the callback only for apps that run the OAuth flow.
 */
export const CpfhubSettings = z.object({
  scopes: z.array(z.enum(CPFHUB_SCOPES)).check(z.minLength(1)),
  callbackUrl: z.optional(HttpsOrLoopbackUrl),
});

/** An application onboarded to Secpass. The API key itself is never stored, only its SHA-256. */
export const AppRecord = z.object({
  appId: z.string().check(z.minLength(1)),
  name: z.string().check(z.minLength(1)),
  status: z.enum(['active', 'disabled']),
  apiKeyHash: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  /** The app's EC P-256 public key: data-bearing Secpass tokens are encrypted to it. */
  publicJwk: PublicEcJwk,
  providers: z.object({
    myinfo: z.optional(MyinfoPersonSettings),
    /** Myinfo Business takes the same settings as Myinfo, less the profile. */
    myinfobiz: z.optional(MyinfoSettings),
    singpass: z.optional(SingpassSettings),
    sgverify: z.optional(SgVerifySettings),
    cpfhub: z.optional(CpfhubSettings),
  }),
  createdAt: z.string(),
  /**
   * The value of the app's API Gateway key, which its usage plan meters and throttles. Not a
   * credential: the gateway only accepts it from our authorizer, after the app's own key matched.
   */
  usageKey: z.optional(z.string().check(z.minLength(20))),
});

export type AppRecord = z.infer<typeof AppRecord>;
export type MyinfoSettings = z.infer<typeof MyinfoSettings>;
export type SingpassSettings = z.infer<typeof SingpassSettings>;
export type SgVerifySettings = z.infer<typeof SgVerifySettings>;
export type CpfhubSettings = z.infer<typeof CpfhubSettings>;
export type UpstreamProfile = z.infer<typeof UpstreamProfile>;
