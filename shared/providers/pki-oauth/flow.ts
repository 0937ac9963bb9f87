import type { AppRecord, MyinfoSettings } from '../../apps/app-record.ts';
import type { Caller } from '../../apps/caller.ts';
import { setting } from '../../config/env.ts';
import { sealDataToken } from '../../crypto/secpass-token.ts';
import { ForbiddenError } from '../../http/errors.ts';
import type { PkiCredentials } from '../../secrets/pki-credentials.ts';
import { type AuthState, newStateValue, saveState } from '../../store/state-store.ts';
import { nowSeconds } from '../../store/table.ts';
import { claimState } from '../claim-state.ts';
import { authoriseUrl, exchangeCode, fetchData, type PkiOAuthProfile } from './upstream.ts';

/** One data provider speaking the Myinfo protocol: Myinfo itself or Myinfo Business. */
export interface PkiOAuthFlow {
  provider: 'myinfo' | 'myinfobiz';
  profile: () => PkiOAuthProfile;
  credentials: () => Promise<PkiCredentials>;
  /** Configuration, not secret: starting a flow reads no secret. */
  clientId: () => string;
  /** The app's settings for this protocol, or undefined when the app has none. */
  settings: (app: AppRecord) => MyinfoSettings | undefined;
}

// The record was validated when it was read; only whether the provider is enabled is left to check.
export const settingsOf = (flow: PkiOAuthFlow, app: AppRecord): MyinfoSettings => {
  const settings = flow.settings(app);
  if (!settings) {
    throw new ForbiddenError('provider_not_enabled', `${flow.profile().name} is not enabled for this app.`);
  }
  return settings;
};

/** `…/init`: a fresh single-use state for this app and the upstream's authorise URL. */
export const startPkiOAuth = async (flow: PkiOAuthFlow, app: AppRecord): Promise<string> => {
  const settings = settingsOf(flow, app);
  const clientId = flow.clientId();
  const state = newStateValue();
  const attributes = settings.attributes.join(',');
  await saveState({
    state,
    appId: app.appId,
    provider: flow.provider,
    expiresAt: nowSeconds() + setting('STATE_TTL_SECONDS'),
    redirectUri: settings.callbackUrl,
    attributes,
  });
  return authoriseUrl(flow.profile(), {
    clientId,
    attributes,
    purpose: settings.purpose,
    state,
    redirectUri: settings.callbackUrl,
  });
};

type DataState = Extract<AuthState, { provider: PkiOAuthFlow['provider'] }>;

/** After the state is consumed: exchange the code, fetch the data, seal it for the app. */
export const completePkiOAuth = async (
  flow: PkiOAuthFlow,
  app: AppRecord,
  saved: DataState,
  code: string,
): Promise<string> => {
  const profile = flow.profile();
  const credentials = await flow.credentials();
  const token = await exchangeCode(profile, credentials, {
    code,
    state: saved.state,
    redirectUri: saved.redirectUri,
  });
  const data = await fetchData(profile, credentials, {
    subject: token.subject,
    accessToken: token.accessToken,
    attributes: saved.attributes,
    subentity: settingsOf(flow, app).subentity,
  });
  return sealDataToken(data, app);
};

/** `…/token`: check the caller's app, consume the state, then complete. */
export const finishPkiOAuth = async (
  flow: PkiOAuthFlow,
  caller: Caller,
  code: string,
  state: string,
): Promise<string> => {
  const { app, saved } = await claimState(caller, state, flow.provider, (app) => settingsOf(flow, app));
  return completePkiOAuth(flow, app, saved, code);
};
