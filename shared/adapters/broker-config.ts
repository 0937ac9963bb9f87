import type { FlowSettings } from '../core/flow-context.ts';
import type { CpfhubConfig } from '../providers/cpfhub/cpfhub.ts';
import type { MyinfoConfig } from '../providers/myinfo/myinfo.ts';
import type { PkiOAuthConfig } from '../providers/pki-oauth/flow.ts';
import type { SgVerifyConfig } from '../providers/sgverify/flow.ts';
import type { SingpassConfig } from '../providers/singpass/singpass.ts';
import type { SingpassFapiConfig, SingpassSecretConfig } from '../providers/singpass-fapi/configuration.ts';
import type { ConfiguredClientId } from '../secrets/client-id.ts';
import { type ClientIdSetting, setting } from './env.ts';

/**
 * The configuration objects the domain is built from, read from the environment. Each is built
 * when a provider is first used, so a function needs only the variables its own routes read; a
 * handler builds it again only when the settings change (`perConfiguration`).
 */

export const flowSettings = (): FlowSettings => ({
  token: {
    issuer: setting('SECPASS_ISSUER'),
    ttlSeconds: setting('SECPASS_TOKEN_TTL_SECONDS'),
    signingSecretId: () => setting('SECPASS_SIGNING_SECRET_ID'),
  },
  stateTtlSeconds: setting('STATE_TTL_SECONDS'),
  upstreamTimeoutMs: setting('UPSTREAM_TIMEOUT_MS'),
});

export const configuredClientId = (name: ClientIdSetting): ConfiguredClientId => ({
  value: setting(name),
  setting: name,
});

export const myinfoV3Config = (): PkiOAuthConfig => ({
  baseUrl: setting('MYINFO_BASE_URL'),
  clientId: configuredClientId('MYINFO_CLIENT_ID'),
  secretId: setting('MYINFO_SECRET_ID'),
});

export const myinfoBizConfig = (): PkiOAuthConfig => ({
  baseUrl: setting('MYINFOBIZ_BASE_URL'),
  clientId: configuredClientId('MYINFOBIZ_CLIENT_ID'),
  secretId: setting('MYINFOBIZ_SECRET_ID'),
});

export const sgVerifyConfig = (): SgVerifyConfig => ({
  apiBaseUrl: setting('SGVERIFY_API_BASE_URL'),
  qrBaseUrl: setting('SGVERIFY_QR_BASE_URL'),
  clientId: configuredClientId('SGVERIFY_CLIENT_ID'),
  secretId: setting('SGVERIFY_SECRET_ID'),
  callbackUrl: `${setting('SECPASS_ISSUER').replace(/\/+$/, '')}/sgverify/callback`,
});

export const cpfhubConfig = (): CpfhubConfig => ({
  apiBaseUrl: setting('CPFHUB_API_BASE_URL'),
  oauthBaseUrl: setting('CPFHUB_OAUTH_BASE_URL'),
  clientId: configuredClientId('CPFHUB_CLIENT_ID'),
  secretId: setting('CPFHUB_SECRET_ID'),
  issuer: setting('SECPASS_ISSUER'),
  upstreamTimeoutMs: setting('UPSTREAM_TIMEOUT_MS'),
});

export const singpassFapiConfig = (): SingpassFapiConfig => ({
  issuer: setting('SINGPASS_FAPI_ISSUER'),
  timeoutMs: setting('UPSTREAM_TIMEOUT_MS'),
});

export const singpassSecretConfig = (): SingpassSecretConfig => ({
  secretId: setting('SINGPASS_SECRET_ID'),
  legacyClientId: configuredClientId('SINGPASS_CLIENT_ID'),
});

export const singpassConfig = (): SingpassConfig => ({
  discoveryUrl: setting('SINGPASS_DISCOVERY_URL'),
  timeoutMs: setting('UPSTREAM_TIMEOUT_MS'),
  secret: singpassSecretConfig(),
  fapi: singpassFapiConfig(),
  defaultProfile: setting('DEFAULT_UPSTREAM_PROFILE'),
});

export const myinfoConfig = (): MyinfoConfig => ({
  v3: myinfoV3Config(),
  fapi: singpassFapiConfig(),
  singpassSecret: singpassSecretConfig(),
  defaultProfile: setting('DEFAULT_UPSTREAM_PROFILE'),
});
