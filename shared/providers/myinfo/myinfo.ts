import type { AppRecord, MyinfoSettings } from '../../apps/app-record.ts';
import { type Caller, loadCallerApp } from '../../apps/caller.ts';
import { config } from '../../config/env.ts';
import { sealDataToken } from '../../crypto/secpass-token.ts';
import { ForbiddenError } from '../../http/errors.ts';
import { pkiCredentials } from '../../secrets/pki-credentials.ts';
import { consumeState, newStateValue, saveState } from '../../store/state-store.ts';
import { nowSeconds } from '../../store/table.ts';
import { allInOrder } from '../../util/settle.ts';
import { authoriseUrl, exchangeCode, fetchData, type PkiOAuthProfile } from '../pki-oauth/upstream.ts';

const myinfoProfile = (): PkiOAuthProfile => ({
  name: 'Myinfo',
  baseUrl: config().MYINFO_BASE_URL.replace(/\/+$/, ''),
  dataPath: (uinfin) => `/person/${uinfin}/`,
  // NRIC (S/T) or FIN (F/G/M): one letter, seven digits, one letter.
  subject: /^[STFGM]\d{7}[A-Z]$/,
});

const myinfoCredentials = pkiCredentials(() => config().MYINFO_SECRET_ID);

// The record was validated when it was read; only whether Myinfo is enabled is left to check.
const myinfoSettings = (app: AppRecord): MyinfoSettings => {
  const settings = app.providers.myinfo;
  if (!settings) throw new ForbiddenError('provider_not_enabled', 'Myinfo is not enabled for this app.');
  return settings;
};

/** `GET /myinfo/init`: a fresh single-use state for this app and the Myinfo authorise URL. */
export const startMyinfo = async (app: AppRecord): Promise<string> => {
  const settings = myinfoSettings(app);
  const { clientId } = await myinfoCredentials();
  const state = newStateValue();
  const attributes = settings.attributes.join(',');
  await saveState({
    state,
    appId: app.appId,
    provider: 'myinfo',
    expiresAt: nowSeconds() + config().STATE_TTL_SECONDS,
    redirectUri: settings.callbackUrl,
    attributes,
  });
  return authoriseUrl(myinfoProfile(), {
    clientId,
    attributes,
    purpose: settings.purpose,
    state,
    redirectUri: settings.callbackUrl,
  });
};

/**
 * `GET /myinfo/token`: consume the state, exchange the code, fetch the person, seal it for the
 * app. The app is re-read alongside the consume-and-exchange (only the state must precede the
 * upstream call), and confirmed before any person data is fetched; its refusal wins over a
 * state refusal, as it would in sequential code.
 */
export const finishMyinfo = async (caller: Caller, code: string, state: string): Promise<string> => {
  const profile = myinfoProfile();
  const credentials = await myinfoCredentials();
  const exchange = consumeState(state, caller.appId, 'myinfo').then(async (saved) => ({
    saved,
    token: await exchangeCode(profile, credentials, { code, state, redirectUri: saved.redirectUri }),
  }));
  const [app, { saved, token }] = await allInOrder(loadCallerApp(caller), exchange);
  const person = await fetchData(profile, credentials, {
    subject: token.subject,
    accessToken: token.accessToken,
    attributes: saved.attributes,
    subentity: myinfoSettings(app).subentity,
  });
  return sealDataToken(person, app.publicJwk);
};
