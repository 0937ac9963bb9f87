import { z } from 'zod';

/**
 * Everything a function learns from its environment. Read lazily (first use), not at import,
 * so the local runtime and tests can set the environment before the first request. The table
 * name stands apart because the admin command needs it and nothing else.
 */
const TableEnv = z.object({ SECPASS_TABLE: z.string().min(1) });

const FunctionEnv = TableEnv.extend({
  SECPASS_SIGNING_SECRET_ID: z.string().min(1),
  MYINFO_SECRET_ID: z.string().min(1),
  /** Myinfo v3 base, e.g. https://test.api.myinfo.gov.sg/com/v3 (authorise, token, person hang off it). */
  MYINFO_BASE_URL: z.url(),
  /** `iss` of Secpass tokens: the public base URL of this deployment. */
  SECPASS_ISSUER: z.string().min(1).default('secpass'),
  /** States live at most ten minutes (issue #2); shorter is allowed. */
  STATE_TTL_SECONDS: z.coerce.number().int().min(30).max(600).default(600),
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().min(100).max(29_000).default(8_000),
  SECRETS_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(300),
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
