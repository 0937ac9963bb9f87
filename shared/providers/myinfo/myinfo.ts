import type { AppRecord } from '../../apps/app-record.ts';
import type { Caller } from '../../apps/caller.ts';
import { setting } from '../../config/env.ts';
import { sealDataToken } from '../../crypto/secpass-token.ts';
import { ForbiddenError } from '../../http/errors.ts';
import { clientIdOf } from '../../secrets/client-id.ts';
import { pkiCredentials } from '../../secrets/pki-credentials.ts';
import { claimState } from '../claim-state.ts';
import { completePkiOAuth, type PkiOAuthFlow, startPkiOAuth } from '../pki-oauth/flow.ts';
import { startFapiFlow } from '../singpass-fapi/flow.ts';
import { fapiRegistration, usesFapi } from '../singpass-fapi/profile.ts';
import { redeemCode } from '../singpass-fapi/session.ts';

/** Myinfo v3: person data for the NRIC/FIN the access token names. */
export const myinfoFlow: PkiOAuthFlow = {
  provider: 'myinfo',
  profile: () => ({
    name: 'Myinfo',
    baseUrl: setting('MYINFO_BASE_URL').replace(/\/+$/, ''),
    dataPath: (uinfin) => `/person/${uinfin}/`,
    // NRIC (S/T) or FIN (F/G/M): one letter, seven digits, one letter.
    subject: /^[STFGM]\d{7}[A-Z]$/,
  }),
  credentials: pkiCredentials(() => setting('MYINFO_SECRET_ID'), 'MYINFO_CLIENT_ID'),
  clientId: () => clientIdOf('MYINFO_CLIENT_ID'),
  // Myinfo v3 needs the attributes and purpose; a record may hold only its FAPI registration.
  settings: (app) => {
    const { callbackUrl, attributes, purpose, subentity } = app.providers.myinfo ?? {};
    if (!callbackUrl || !attributes || !purpose) return undefined;
    return subentity ? { callbackUrl, attributes, purpose, subentity } : { callbackUrl, attributes, purpose };
  },
};

const myinfoSettings = (app: AppRecord) => {
  const settings = app.providers.myinfo;
  if (!settings) throw new ForbiddenError('provider_not_enabled', 'Myinfo is not enabled for this app.');
  return settings;
};

/**
 * `GET /myinfo/init`: Myinfo v3, or Myinfo v5 through Singpass FAPI 2.0 (a PAR as the app's
 * Myinfo registration, asking `openid` plus its catalog scopes; the purpose is the registration's,
 * so none is sent), as the app's profile says; the app sees the same 302.
 */
export const startMyinfo = async (app: AppRecord): Promise<string> => {
  const settings = myinfoSettings(app);
  if (!usesFapi(settings)) return startPkiOAuth(myinfoFlow, app);
  const registration = fapiRegistration('Myinfo', settings.fapi2);
  return startFapiFlow(
    'Myinfo',
    {
      appId: app.appId,
      clientId: registration.clientId,
      redirectUri: settings.callbackUrl,
      scope: ['openid', ...registration.scopes].join(' '),
    },
    () => ({ provider: 'myinfo', attributes: registration.scopes.join(',') }),
  );
};

/**
 * `GET /myinfo/token`: the state says which protocol it was started on (so switching an app's
 * profile never strands a user mid-flow). Under FAPI 2.0 the sealed payload is the verified
 * userinfo JWT's claims, byte for byte, as Myinfo v5 returns them.
 */
export const finishMyinfo = async (caller: Caller, code: string, state: string): Promise<string> => {
  const { app, saved } = await claimState(caller, state, 'myinfo', myinfoSettings);
  if (!saved.fapi) return completePkiOAuth(myinfoFlow, app, saved, code);
  const redeemed = await redeemCode('Myinfo', { ...saved, fapi: saved.fapi }, code);
  return sealDataToken(await redeemed.userinfo(), app);
};
