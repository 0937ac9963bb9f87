import * as z from 'zod/mini';

/**
 * Everything a function learns from its environment, one setting at a time: each is read and
 * validated on first use (not at import), so the local runtime and tests can set the environment
 * first, and a function needs only the variables its own code reads. Each entry makes its schema
 * when its setting is first read: a function builds the few it reads, not all of them at cold start.
 */
const nonEmpty = () => z.string().check(z.minLength(1));
const intIn = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

/** A registration's client id: not secret, so configuration; absent only where nothing reads it. */
const clientId = () => z.optional(nonEmpty());

const SETTINGS = {
  SECPASS_TABLE: nonEmpty,
  SECPASS_SIGNING_SECRET_ID: nonEmpty,
  /** The public halves of the signing and Singpass keys, all the JWKS routes may read. */
  SECPASS_PUBLIC_KEYS_SECRET_ID: nonEmpty,
  /** AES keys sealing what pending flows keep at rest (DPoP private keys, PKCE verifiers). */
  STATE_KEYS_SECRET_ID: nonEmpty,
  MYINFO_SECRET_ID: nonEmpty,
  MYINFO_CLIENT_ID: clientId,
  /** Myinfo v3 base, e.g. https://test.api.myinfo.gov.sg/com/v3 (authorise, token, person hang off it). */
  MYINFO_BASE_URL: () => z.url(),
  MYINFOBIZ_SECRET_ID: nonEmpty,
  MYINFOBIZ_CLIENT_ID: clientId,
  /** Myinfo Business v2 base, e.g. https://test.api.myinfo.gov.sg/biz/v2 */
  MYINFOBIZ_BASE_URL: () => z.url(),
  SGVERIFY_SECRET_ID: nonEmpty,
  SGVERIFY_CLIENT_ID: clientId,
  /** SG-Verify's token and person APIs, e.g. https://test.api.myinfo.gov.sg/sgverify/v2 */
  SGVERIFY_API_BASE_URL: () => z.url(),
  /** What a QR code opens in the Singpass app, e.g. https://app.singpass.gov.sg/sgverify */
  SGVERIFY_QR_BASE_URL: () => z.url(),
  SINGPASS_SECRET_ID: nonEmpty,
  /** The legacy (NDI OIDC) registration's; FAPI 2.0 client ids are in each app's record. */
  SINGPASS_CLIENT_ID: clientId,
  /** Singpass's OpenID discovery document, e.g. https://stg-id.singpass.gov.sg/.well-known/openid-configuration */
  SINGPASS_DISCOVERY_URL: () => z.url(),
  CPFHUB_SECRET_ID: nonEmpty,
  /** Our CPFHub OAuth client's id. */
  CPFHUB_CLIENT_ID: clientId,
  /** CPFHub's API, e.g. https://api.cpfhub.sg/v1 (contributions, statements hang off it). */
  CPFHUB_API_BASE_URL: () => z.url(),
  /** CPFHub's OAuth 2.0 endpoints' base, e.g. https://api.cpfhub.sg/oauth (authorize, token, revoke). */
  CPFHUB_OAUTH_BASE_URL: () => z.url(),
  /** Singpass's FAPI 2.0 issuer, e.g. https://stg-id.singpass.gov.sg/fapi (discovery hangs off it). */
  SINGPASS_FAPI_ISSUER: () => z.url(),
  /** The upstream profile of apps whose record names none: Myinfo v3 + NDI OIDC, or FAPI 2.0. */
  DEFAULT_UPSTREAM_PROFILE: () => z._default(z.enum(['legacy', 'fapi2']), 'legacy'),
  /** `iss` of Secpass tokens: the public base URL of this deployment. */
  SECPASS_ISSUER: () => z._default(nonEmpty(), 'secpass'),
  /** States live at most ten minutes (issue #2); shorter is allowed. */
  STATE_TTL_SECONDS: () => intIn(30, 600, 600),
  UPSTREAM_TIMEOUT_MS: () => intIn(100, 29_000, 8_000),
  /** Lifetime of a Secpass login token. */
  SECPASS_TOKEN_TTL_SECONDS: () => intIn(30, 3_600, 300),
  SECRETS_CACHE_SECONDS: () => intIn(0, 3_600, 300),
};

export type SettingName = keyof typeof SETTINGS;
/** The settings naming an upstream registration's client id. */
export type ClientIdSetting = Extract<SettingName, `${string}_CLIENT_ID`>;
export type Config = { [K in SettingName]: z.infer<ReturnType<(typeof SETTINGS)[K]>> };

const cache = new Map<SettingName, unknown>();

export const setting = <K extends SettingName>(name: K): Config[K] => {
  if (!cache.has(name)) {
    const parsed = SETTINGS[name]().safeParse(process.env[name]);
    if (!parsed.success) throw new Error(`environment variable ${name} is missing or invalid`);
    cache.set(name, parsed.data);
  }
  return cache.get(name) as Config[K];
};

let generation = 0;

/** For tests and the local runtime, which change the environment after a first read. */
export const resetConfig = (): void => {
  cache.clear();
  generation += 1;
};

/**
 * What a function composes from its configuration, made on first use and kept for the warm
 * container. On AWS the environment never changes; where the local runtime or a test changes it
 * (and says so with `resetConfig`), the next use makes it afresh from the new settings.
 */
export const perConfiguration = <T>(make: () => T): (() => T) => {
  let made: { value: T; generation: number } | undefined;
  return () => {
    if (made?.generation !== generation) made = { value: make(), generation };
    return made.value;
  };
};
