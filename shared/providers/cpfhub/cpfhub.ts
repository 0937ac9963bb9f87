import type { AppRecord, CpfhubSettings } from '../../apps/app-record.ts';
import { type Caller, loadCallerApp } from '../../apps/caller.ts';
import { AccessRefused } from '../../core/errors.ts';
import type { FlowContext } from '../../core/flow-context.ts';
import { type ConfiguredClientId, clientIdOf } from '../../secrets/client-id.ts';
import { cpfhubCredentialsFrom } from '../../secrets/cpfhub-credentials.ts';
import { grantKeeper } from './grants.ts';
import { cpfhubOAuth } from './oauth.ts';
import { cpfhubOAuthClient } from './oauth-client.ts';
import type { CpfhubPorts } from './ports.ts';
import { type CpfhubAnswer, type CpfhubCall, cpfhubAnswer, cpfhubSender, requireScope } from './proxy.ts';

/** Where CPFHub is and who we are to it. */
export interface CpfhubConfig {
  /** e.g. https://api.cpfhub.sg/v1 (contributions, statements hang off it). */
  apiBaseUrl: string;
  /** e.g. https://api.cpfhub.sg/oauth (authorize, token, revoke hang off it). */
  oauthBaseUrl: string;
  /** Configuration, not secret: starting a consent reads no secret. */
  clientId: ConfiguredClientId;
  /** Our API key, OAuth client secret and the keys users' tokens are sealed with. */
  secretId: string;
  /** `iss` of the grant tokens apps get: the public base URL of this deployment. */
  issuer: string;
  /** How long one upstream call may take: a refresh lease outlives it. */
  upstreamTimeoutMs: number;
}

export const cpfhubSettings = (app: AppRecord): CpfhubSettings => {
  const settings = app.providers.cpfhub;
  if (!settings) throw new AccessRefused('provider_not_enabled', 'CPFHub is not enabled for this app.');
  return settings;
};

/**
 * CPFHub: the OAuth flow that opens a user's grant (`start`, `finish`), the proxy that forwards
 * allow-listed calls with our API key or a user's access token, and the grant's end.
 */
export const cpfhubProvider = (config: CpfhubConfig, context: FlowContext, ports: CpfhubPorts) => {
  const credentials = cpfhubCredentialsFrom(
    context.secrets,
    () => config.secretId,
    () => config.clientId,
  );
  const oauthClient = cpfhubOAuthClient(config.oauthBaseUrl, context.http);
  const grants = grantKeeper({
    ports,
    clock: context.clock,
    oauth: oauthClient,
    credentials,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
  });
  const send = cpfhubSender(config.apiBaseUrl, context.http);
  const { start, finish } = cpfhubOAuth({
    context,
    oauth: oauthClient,
    grants,
    credentials,
    clientId: () => clientIdOf(config.clientId),
    issuer: config.issuer,
  });

  return {
    start,
    finish,

    /** `ANY /cpfhub/{proxy+}`: the app's call with Secpass's own CPFHub API key, within the app's scopes. */
    forwardWithApiKey: async (caller: Caller, call: CpfhubCall): Promise<CpfhubAnswer> => {
      const [app, { apiKey }] = await Promise.all([loadCallerApp(context.apps, caller), credentials()]);
      requireScope(call, cpfhubSettings(app).scopes);
      return cpfhubAnswer(await send(call, apiKey));
    },

    /**
     * `ANY /cpfhub/user/{proxy+}`: the app's call with the user's access token, within what both
     * the user granted and the app may still use.
     */
    forwardForUser: async (caller: Caller, grantId: string, call: CpfhubCall): Promise<CpfhubAnswer> => {
      const app = await loadCallerApp(context.apps, caller);
      const allowance: readonly string[] = cpfhubSettings(app).scopes;
      const grant = await grants.usable(grantId, app.appId);
      requireScope(
        call,
        grant.scopes.filter((scope) => allowance.includes(scope)),
      );
      let response = await send(call, grant.accessToken);
      if (response.status === 401) {
        // CPFHub ended the token before the expiry it announced: refresh once and try again.
        const renewed = await grants.usable(grantId, app.appId, grant.version);
        response = await send(call, renewed.accessToken);
      }
      return cpfhubAnswer(response);
    },

    /** `DELETE /cpfhub/oauth/grant`. */
    endGrant: async (caller: Caller, grantId: string): Promise<void> => {
      const app = await loadCallerApp(context.apps, caller);
      await grants.revoke(grantId, app.appId);
    },
  };
};

export type CpfhubProvider = ReturnType<typeof cpfhubProvider>;
