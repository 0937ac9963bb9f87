import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Config } from '../shared/adapters/env.ts';

/**
 * What `--context env=…` selects: which upstream environment Secpass talks to, how long its logs
 * are kept and how firmly its data is protected. Account and region always come from the deployer.
 */
export const ENVIRONMENT_NAMES = ['sandbox', 'test', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];

export interface EnvironmentSettings {
  logRetention: RetentionDays;
  /** DynamoDB deletion protection: only a throwaway sandbox may be deleted in one step. */
  deletionProtection: boolean;
  /**
   * Whether `-c sandboxAppId=…` may open the API to calls without an API key (served as that app),
   * as the API contract allows of a sandbox instance. Test and prod always require a key.
   */
  allowsSandboxApp: boolean;
}

export const ENVIRONMENTS: Record<EnvironmentName, EnvironmentSettings> = {
  sandbox: { logRetention: RetentionDays.ONE_WEEK, deletionProtection: false, allowsSandboxApp: true },
  test: { logRetention: RetentionDays.ONE_MONTH, deletionProtection: true, allowsSandboxApp: false },
  prod: { logRetention: RetentionDays.ONE_YEAR, deletionProtection: true, allowsSandboxApp: false },
};

/** The Myinfo family's domains per environment (Myinfo v3 and SG-Verify v2 specs). */
const MYINFO_HOST: Record<EnvironmentName, string> = {
  sandbox: 'sandbox.api.myinfo.gov.sg',
  test: 'test.api.myinfo.gov.sg',
  prod: 'api.myinfo.gov.sg',
};
/** Singpass has no sandbox: staging serves both non-production environments. */
const SINGPASS_HOST: Record<EnvironmentName, string> = {
  sandbox: 'stg-id.singpass.gov.sg',
  test: 'stg-id.singpass.gov.sg',
  prod: 'id.singpass.gov.sg',
};

type UpstreamUrl = { setting: keyof Config; url: (env: EnvironmentName) => string };

/**
 * Every upstream URL a deployment can point elsewhere with `-c <key>=https://…`: the setting it
 * becomes and its URL in each environment.
 */
export const UPSTREAM_URLS = {
  /** Myinfo v3 (authorise, token and person hang off it). */
  myinfoBaseUrl: { setting: 'MYINFO_BASE_URL', url: (env) => `https://${MYINFO_HOST[env]}/com/v3` },
  myinfoBizBaseUrl: { setting: 'MYINFOBIZ_BASE_URL', url: (env) => `https://${MYINFO_HOST[env]}/biz/v2` },
  /** SG-Verify's token and person APIs, and what its QR codes open. */
  sgverifyApiBaseUrl: {
    setting: 'SGVERIFY_API_BASE_URL',
    url: (env) => `https://${MYINFO_HOST[env]}/sgverify/v2`,
  },
  sgverifyQrBaseUrl: { setting: 'SGVERIFY_QR_BASE_URL', url: () => 'https://app.singpass.gov.sg/sgverify' },
  singpassDiscoveryUrl: {
    setting: 'SINGPASS_DISCOVERY_URL',
    url: (env) => `https://${SINGPASS_HOST[env]}/.well-known/openid-configuration`,
  },
  /** Singpass's FAPI 2.0 issuer, for apps whose profile is `fapi2`. */
  singpassFapiIssuer: { setting: 'SINGPASS_FAPI_ISSUER', url: (env) => `https://${SINGPASS_HOST[env]}/fapi` },
  /** CPFHub's API (the spec's base) and its OAuth endpoints (the spec names no other host). */
  cpfhubApiBaseUrl: { setting: 'CPFHUB_API_BASE_URL', url: () => 'https://api.cpfhub.sg/v1' },
  cpfhubOAuthBaseUrl: { setting: 'CPFHUB_OAUTH_BASE_URL', url: () => 'https://api.cpfhub.sg/oauth' },
} as const satisfies Record<string, UpstreamUrl>;
export type UpstreamUrlName = keyof typeof UPSTREAM_URLS;
