import * as z from 'zod/mini';
import { CPFHUB_SCOPES } from './cpfhub-scopes.ts';
import {
  AUTHENTICATION_CONTEXT_MESSAGE,
  AUTHENTICATION_CONTEXT_TYPES,
  LOGIN_SCOPES,
  MYINFO_CATALOG_SCOPES,
  V3_ONLY_ATTRIBUTES,
} from './fapi-registration-rules.ts';

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

const V3_ATTRIBUTE = z.string().check(z.regex(/^[a-z0-9-]+(\.[a-z0-9-]+)*$/));

export const MyinfoSettings = z.object({
  callbackUrl: HttpsOrLoopbackUrl,
  attributes: z.array(V3_ATTRIBUTE).check(z.minLength(1)),
  purpose: z.string().check(z.minLength(1), z.maxLength(200)),
  /** Myinfo's `subentity`: the platform client the data is for (≤ 10 characters). */
  subentity: z.optional(z.string().check(z.maxLength(10))),
});

/** Singpass gives each registered app a client id of 32 letters and digits. */
const SingpassClientId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9]{32}$/, 'a Singpass client id is 32 letters and digits'));

/** Why a scope is no catalog id, naming the ids that replace it where there are some. */
const catalogRefusal = (scope: string): string | undefined => {
  if (MYINFO_CATALOG_SCOPES.has(scope)) return undefined;
  const replacements = V3_ONLY_ATTRIBUTES[scope];
  if (replacements === undefined) return `${scope} is not a Myinfo v5 catalog id`;
  return replacements.length > 0
    ? `${scope} is a Myinfo v3 attribute; under FAPI 2.0 ask for ${replacements.join(', ')} instead`
    : `${scope} is a Myinfo v3 attribute with no Myinfo v5 catalog id`;
};

const CatalogScope = z.string().check(
  z.superRefine((scope, context) => {
    const refusal = catalogRefusal(scope);
    if (refusal) context.issues.push({ code: 'custom', message: refusal, input: scope });
  }),
);

/** A Myinfo (v5) app registered with Singpass: one purpose, its own client id and allowed scopes. */
export const MyinfoFapiRegistration = z.object({
  clientId: SingpassClientId,
  /** Catalog ids, without `openid` (always sent). */
  scopes: z.array(CatalogScope).check(z.minLength(1)),
});

/** A Login app registered with Singpass: its client id, the context its logins are for, its scopes. */
export const SingpassFapiRegistration = z.object({
  clientId: SingpassClientId,
  authenticationContextType: z._default(z.enum(AUTHENTICATION_CONTEXT_TYPES), 'APP_AUTHENTICATION_DEFAULT'),
  /** Shown to the person as they authenticate. */
  authenticationContextMessage: z.optional(
    z
      .string()
      .check(z.regex(AUTHENTICATION_CONTEXT_MESSAGE, "at most 100 of A-Z a-z 0-9 space . , - @ ' ! ( )")),
  ),
  /** Besides `openid`. Their claims stay with Secpass: the login token names the person by UUID only. */
  scopes: z._default(z.array(z.enum(LOGIN_SCOPES)), []),
});

/** A profile the record names must have its settings; the FAPI settings may wait beside legacy ones. */
const namedProfileIsConfigured = <T extends { profile?: 'legacy' | 'fapi2'; fapi2?: unknown }>(
  legacyConfigured: (settings: T) => boolean,
) =>
  z.superRefine<T>((settings, context) => {
    const fapi2 = settings.fapi2 !== undefined;
    const legacy = legacyConfigured(settings);
    const missing =
      settings.profile === 'fapi2' ? !fapi2 : settings.profile === 'legacy' ? !legacy : !fapi2 && !legacy;
    if (missing) {
      const wanted = settings.profile === 'fapi2' ? 'fapi2 (the Singpass registration)' : 'its settings';
      context.issues.push({
        code: 'custom',
        message: `the ${settings.profile ?? 'upstream'} profile needs ${wanted}`,
        input: settings,
      });
    }
  });

/**
 * Myinfo: the v3 settings (attributes, purpose) for the legacy profile and, for FAPI 2.0 (Myinfo
 * v5), the Singpass Myinfo app's registration. Both may be held while an app moves over.
 */
export const MyinfoPersonSettings = z
  .object({
    callbackUrl: HttpsOrLoopbackUrl,
    profile: z.optional(UpstreamProfile),
    attributes: z.optional(z.array(V3_ATTRIBUTE).check(z.minLength(1))),
    purpose: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    subentity: z.optional(z.string().check(z.maxLength(10))),
    fapi2: z.optional(MyinfoFapiRegistration),
  })
  .check(
    namedProfileIsConfigured(
      (settings) => settings.attributes !== undefined && settings.purpose !== undefined,
    ),
  );

export const SingpassSettings = z
  .object({
    callbackUrl: HttpsOrLoopbackUrl,
    profile: z.optional(UpstreamProfile),
    fapi2: z.optional(SingpassFapiRegistration),
  })
  // The legacy registration is the deployment's own, so it needs nothing in the record.
  .check(namedProfileIsConfigured(() => true));

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
    /** Myinfo Business stays on its v2 protocol. */
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
export type MyinfoPersonSettings = z.infer<typeof MyinfoPersonSettings>;
export type SingpassFapiRegistration = z.infer<typeof SingpassFapiRegistration>;
export type MyinfoFapiRegistration = z.infer<typeof MyinfoFapiRegistration>;
export type SgVerifySettings = z.infer<typeof SgVerifySettings>;
export type CpfhubSettings = z.infer<typeof CpfhubSettings>;
export type UpstreamProfile = z.infer<typeof UpstreamProfile>;
