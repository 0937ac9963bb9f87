import { type AppRecord, MyinfoSettings } from '../../apps/app-record.ts';
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

const myinfoSettings = (app: AppRecord): MyinfoSettings => {
  const settings = app.providers.myinfo;
  if (!settings) throw new ForbiddenError('provider_not_enabled', 'Myinfo is not enabled for this app.');
  return MyinfoSettings.parse(settings);
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
 * `GET /myinfo/token`: consume the state, fetch the person, seal it for the app. Reading the
 * app and consuming its state are independent writes/reads, so they run together; a state
 * consumed for an app that turns out disabled is no loss, its flow is over either way.
 */
export const finishMyinfo = async (caller: Caller, code: string, state: string): Promise<string> => {
  const [app, saved] = await allInOrder(loadCallerApp(caller), consumeState(state, caller.appId, 'myinfo'));
  const settings = myinfoSettings(app);
  const profile = myinfoProfile();
  const credentials = await myinfoCredentials();
  const { accessToken, subject } = await exchangeCode(profile, credentials, {
    code,
    state,
    redirectUri: saved.redirectUri,
  });
  const person = await fetchData(profile, credentials, {
    subject,
    accessToken,
    attributes: saved.attributes,
    subentity: settings.subentity,
  });
  return sealDataToken(person, app.publicJwk);
};
