import type { AppRecord, MyinfoSettings } from '../../apps/app-record.ts';
import type { Caller } from '../../apps/caller.ts';
import { newStateValue, type StateOf } from '../../core/auth-state.ts';
import { AccessRefused } from '../../core/errors.ts';
import type { FlowContext } from '../../core/flow-context.ts';
import type { ConfiguredClientId } from '../../secrets/client-id.ts';
import { clientIdOf } from '../../secrets/client-id.ts';
import { type PkiCredentials, pkiCredentials } from '../../secrets/pki-credentials.ts';
import { claimState } from '../claim-state.ts';
import { authoriseUrl, exchangeCode, fetchData, type PkiOAuthProfile } from './upstream.ts';

/** Where one PKI_SIGN upstream is and who we are to it. */
export interface PkiOAuthConfig {
  /** e.g. https://test.api.myinfo.gov.sg/com/v3 (authorise, token and data hang off it). */
  baseUrl: string;
  /** Configuration, not secret: starting a flow reads no secret. */
  clientId: ConfiguredClientId;
  secretId: string;
}

/** One data provider speaking the Myinfo protocol: Myinfo itself or Myinfo Business. */
export interface PkiOAuthFlow {
  provider: 'myinfo' | 'myinfobiz';
  profile: PkiOAuthProfile;
  credentials: () => Promise<PkiCredentials>;
  clientId: () => string;
  /** The app's settings for this protocol, or undefined when the app has none. */
  settings: (app: AppRecord) => MyinfoSettings | undefined;
  context: FlowContext;
}

/** A flow from its protocol profile, its configuration and the function's context. */
export const pkiOAuthFlow = (
  definition: Pick<PkiOAuthFlow, 'provider' | 'settings'> & { profile: Omit<PkiOAuthProfile, 'baseUrl'> },
  config: PkiOAuthConfig,
  context: FlowContext,
): PkiOAuthFlow => ({
  provider: definition.provider,
  settings: definition.settings,
  profile: { ...definition.profile, baseUrl: config.baseUrl.replace(/\/+$/, '') },
  credentials: pkiCredentials(
    context.secrets,
    () => config.secretId,
    () => config.clientId,
  ),
  clientId: () => clientIdOf(config.clientId),
  context,
});

// The record was validated when it was read; only whether the provider is enabled is left to check.
export const settingsOf = (flow: PkiOAuthFlow, app: AppRecord): MyinfoSettings => {
  const settings = flow.settings(app);
  if (!settings) {
    throw new AccessRefused('provider_not_enabled', `${flow.profile.name} is not enabled for this app.`);
  }
  return settings;
};

/** `…/init`: a fresh single-use state for this app and the upstream's authorise URL. */
export const startPkiOAuth = async (flow: PkiOAuthFlow, app: AppRecord): Promise<string> => {
  const settings = settingsOf(flow, app);
  const clientId = flow.clientId();
  const state = newStateValue();
  const attributes = settings.attributes.join(',');
  await flow.context.states.save({
    state,
    appId: app.appId,
    provider: flow.provider,
    expiresAt: flow.context.stateExpiresAt(),
    redirectUri: settings.callbackUrl,
    attributes,
  });
  return authoriseUrl(flow.profile, {
    clientId,
    attributes,
    purpose: settings.purpose,
    state,
    redirectUri: settings.callbackUrl,
  });
};

/** After the state is consumed: exchange the code, fetch the data, seal it for the app. */
export const completePkiOAuth = async (
  flow: PkiOAuthFlow,
  app: AppRecord,
  saved: StateOf<PkiOAuthFlow['provider']>,
  code: string,
): Promise<string> => {
  const { http, tokens } = flow.context;
  const credentials = await flow.credentials();
  const token = await exchangeCode(http, flow.profile, credentials, {
    code,
    state: saved.state,
    redirectUri: saved.redirectUri,
  });
  const data = await fetchData(http, flow.profile, credentials, {
    subject: token.subject,
    accessToken: token.accessToken,
    attributes: saved.attributes,
    subentity: settingsOf(flow, app).subentity,
  });
  return tokens.sealDataToken(data, app);
};

/** `…/token`: check the caller's app, consume the state, then complete. */
export const finishPkiOAuth = async (
  flow: PkiOAuthFlow,
  caller: Caller,
  code: string,
  state: string,
): Promise<string> => {
  const { app, saved } = await claimState(flow.context, caller, state, flow.provider, (app) =>
    settingsOf(flow, app),
  );
  return completePkiOAuth(flow, app, saved, code);
};
