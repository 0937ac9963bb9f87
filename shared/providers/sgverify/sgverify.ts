import type { AppRecord, SgVerifySettings } from '../../apps/app-record.ts';
import { getApp } from '../../apps/app-store.ts';
import { type Caller, loadCallerApp } from '../../apps/caller.ts';
import { setting } from '../../config/env.ts';
import { sealDataToken } from '../../crypto/secpass-token.ts';
import { BadRequestError, ForbiddenError, SecpassError } from '../../http/errors.ts';
import { pkiCredentials } from '../../secrets/pki-credentials.ts';
import { exchangeCode, fetchData, type PkiOAuthProfile } from '../pki-oauth/upstream.ts';
import { storePendingResult, takeOldestResult } from './pending-results.ts';
import { claimDynamicQr, isLive, liveQrState } from './qr-state.ts';

const sgVerifyProfile = (): PkiOAuthProfile => ({
  name: 'SG-Verify',
  baseUrl: setting('SGVERIFY_API_BASE_URL').replace(/\/+$/, ''),
  dataPath: (uuid) => `/person/${uuid}/`,
  // SG-Verify names the person by their Singpass uuid.
  subject: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
});

export const sgVerifyCredentials = pkiCredentials(() => setting('SGVERIFY_SECRET_ID'));

/** Secpass's public route SG-Verify calls back; the QR names it and the token call repeats it. */
export const callbackUrl = () => `${setting('SECPASS_ISSUER').replace(/\/+$/, '')}/sgverify/callback`;

export const settingsOf = (app: AppRecord): SgVerifySettings => {
  const settings = app.providers.sgverify;
  if (!settings) throw new ForbiddenError('provider_not_enabled', 'SG-Verify is not enabled for this app.');
  return settings;
};

/**
 * `GET /sgverify/callback` (SG-Verify calls it after a scan): exchange the code, fetch the person
 * by uuid, seal it for the app that owns the QR and leave it for the kiosk. Nothing is stored
 * unless every step succeeds.
 */
export const receiveCallback = async (code: string, state: string): Promise<void> => {
  const qr = await liveQrState(state);
  if (!qr || !isLive(qr))
    throw new SecpassError(404, 'invalid_state', 'This QR code is unknown or has expired.');
  if (qr.qrType === 'dynamic' && !(await claimDynamicQr(state))) {
    throw new BadRequestError('state_used', 'This QR code has already been used.');
  }
  const app = await getApp(qr.appId);
  if (app?.status !== 'active')
    throw new SecpassError(404, 'invalid_state', 'This QR code is no longer in service.');
  const settings = settingsOf(app);
  const profile = sgVerifyProfile();
  const credentials = await sgVerifyCredentials();
  const token = await exchangeCode(profile, credentials, { code, state, redirectUri: qr.redirectUri });
  const person = await fetchData(profile, credentials, {
    subject: token.subject,
    accessToken: token.accessToken,
    attributes: qr.attributes,
    subentity: settings.subentity,
  });
  await storePendingResult(state, await sealDataToken(person, app));
};

/** `GET /sgverify/result`: the oldest waiting result, handed out once; `undefined` while none has come. */
export const collectResult = async (caller: Caller, state: string): Promise<string | undefined> => {
  const [app, qr] = await Promise.all([loadCallerApp(caller), liveQrState(state)]);
  if (!qr || qr.appId !== app.appId)
    throw new SecpassError(404, 'invalid_state', 'No such QR code for this app.');
  const result = await takeOldestResult(state);
  if (result === undefined && !isLive(qr)) {
    throw new SecpassError(404, 'state_expired', 'This QR code has expired and no result is waiting.');
  }
  return result;
};
