import * as z from 'zod/mini';

/**
 * Everything a function learns from its environment. Read lazily (first use), not at import,
 * so the local runtime and tests can set the environment before the first request. The table
 * name stands apart because the admin command needs it and nothing else.
 */
const TableEnv = z.object({ SECPASS_TABLE: z.string().check(z.minLength(1)) });

const FunctionEnv = z.extend(TableEnv, {
  SECPASS_SIGNING_SECRET_ID: z.string().check(z.minLength(1)),
  MYINFO_SECRET_ID: z.string().check(z.minLength(1)),
  /** Myinfo v3 base, e.g. https://test.api.myinfo.gov.sg/com/v3 (authorise, token, person hang off it). */
  MYINFO_BASE_URL: z.url(),
  MYINFOBIZ_SECRET_ID: z.string().check(z.minLength(1)),
  /** Myinfo Business v2 base, e.g. https://test.api.myinfo.gov.sg/biz/v2 */
  MYINFOBIZ_BASE_URL: z.url(),
  SINGPASS_SECRET_ID: z.string().check(z.minLength(1)),
  /** Singpass's OpenID discovery document, e.g. https://stg-id.singpass.gov.sg/.well-known/openid-configuration */
  SINGPASS_DISCOVERY_URL: z.url(),
  /** `iss` of Secpass tokens: the public base URL of this deployment. */
  SECPASS_ISSUER: z._default(z.string().check(z.minLength(1)), 'secpass'),
  /** States live at most ten minutes (issue #2); shorter is allowed. */
  STATE_TTL_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(30), z.maximum(600)), 600),
  UPSTREAM_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.minimum(100), z.maximum(29_000)), 8_000),
  /** Lifetime of a Secpass login token. */
  SECPASS_TOKEN_TTL_SECONDS: z._default(
    z.coerce.number().check(z.int(), z.minimum(30), z.maximum(3_600)),
    300,
  ),
  SECRETS_CACHE_SECONDS: z._default(z.coerce.number().check(z.int(), z.minimum(0), z.maximum(3_600)), 300),
});

export type Config = z.infer<typeof FunctionEnv>;

let cached: Config | undefined;
let cachedTable: string | undefined;

export const config = (): Config => {
  cached ??= FunctionEnv.parse(process.env);
  return cached;
};

export const configuredTableName = (): string => {
  cachedTable ??= TableEnv.parse(process.env).SECPASS_TABLE;
  return cachedTable;
};

/** For tests and the local runtime, which change the environment after a first read. */
export const resetConfig = (): void => {
  cached = undefined;
  cachedTable = undefined;
};
