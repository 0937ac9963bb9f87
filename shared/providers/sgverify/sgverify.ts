import type { AppRecord, SgVerifySettings } from '../../apps/app-record.ts';
import { getApp } from '../../apps/app-store.ts';
import { type Caller, loadCallerApp } from '../../apps/caller.ts';
import { setting } from '../../config/env.ts';
import { sealDataToken } from '../../crypto/secpass-token.ts';
import { BadRequestError, ForbiddenError, SecpassError, UpstreamError } from '../../http/errors.ts';
import { type PkiCredentials, pkiCredentials } from '../../secrets/pki-credentials.ts';
import { exchangeCode, fetchData, type PkiOAuthProfile } from '../pki-oauth/upstream.ts';
import { CodeRejectedError } from './callback-errors.ts';
import { returnCallbackAttempt, takeCallbackAttempt } from './callback-throttle.ts';
import { storePendingResult, takeOldestResult } from './pending-results.ts';
import { claimDynamicQr, isLive, liveQrState, type QrState } from './qr-state.ts';

const sgVerifyProfile = (): PkiOAuthProfile => ({
  name: 'SG-Verify',
  baseUrl: setting('SGVERIFY_API_BASE_URL').replace(/\/+$/, ''),
  dataPath: (uuid) => `/person/${uuid}/`,
  // SG-Verify names the person by their Singpass uuid.
  subject: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
});

export const sgVerifyCredentials = pkiCredentials(() => setting('SGVERIFY_SECRET_ID'), 'SGVERIFY_CLIENT_ID');

/** Secpass's public route SG-Verify calls back; the QR names it and the token call repeats it. */
export const callbackUrl = () => `${setting('SECPASS_ISSUER').replace(/\/+$/, '')}/sgverify/callback`;

export const settingsOf = (app: AppRecord): SgVerifySettings => {
  const settings = app.providers.sgverify;
  if (!settings) throw new ForbiddenError('provider_not_enabled', 'SG-Verify is not enabled for this app.');
  return settings;
};

const stateUsed = () => new BadRequestError('state_used', 'This QR code has already been used.');

/**
 * SG-Verify answers 400 for an authorisation code that is unknown, used, expired or bound to another
 * QR (as Myinfo v3, whose token API it mirrors, documents). Anyone can send such a code, so it is the
 * caller's mistake, not an SG-Verify failure; a 401 or 403 refuses our own signature or secret and
 * stays an upstream failure an operator must see.
 */
const isRejectedCode = (error: unknown): boolean =>
  error instanceof UpstreamError && error.failure === 'error_status' && error.upstreamStatus === 400;

const exchangeScannedCode = async (
  profile: PkiOAuthProfile,
  credentials: PkiCredentials,
  qr: QrState,
  code: string,
) => {
  try {
    return await exchangeCode(profile, credentials, { code, state: qr.state, redirectUri: qr.redirectUri });
  } catch (error) {
    if (isRejectedCode(error)) throw new CodeRejectedError();
    throw error;
  }
};

/** The scanned person, as SG-Verify sends it for this code: the token call, then the person call. */
const personFor = async (code: string, qr: QrState, settings: SgVerifySettings): Promise<Uint8Array> => {
  const profile = sgVerifyProfile();
  const credentials = await sgVerifyCredentials();
  const token = await exchangeScannedCode(profile, credentials, qr, code);
  return fetchData(profile, credentials, {
    subject: token.subject,
    accessToken: token.accessToken,
    attributes: qr.attributes,
    subentity: settings.subentity,
  });
};

/**
 * `GET /sgverify/callback` (SG-Verify calls it after a scan): exchange the code, fetch the person
 * by uuid, seal it for the app that owns the QR and leave it for the kiosk. Nothing is stored
 * unless every step succeeds. The route is public and the state is printed on the QR code, so a
 * call with a made-up code must change nothing but the QR's failure count.
 */
export const receiveCallback = async (code: string, state: string): Promise<void> => {
  const qr = await liveQrState(state);
  if (!qr || !isLive(qr))
    throw new SecpassError(404, 'invalid_state', 'This QR code is unknown or has expired.');
  // Refused before SG-Verify is asked: a dynamic code that has delivered its result serves no one else.
  if (qr.qrType === 'dynamic' && qr.scannedAt !== undefined) throw stateUsed();
  const app = await getApp(qr.appId);
  if (app?.status !== 'active')
    throw new SecpassError(404, 'invalid_state', 'This QR code is no longer in service.');
  const settings = settingsOf(app);
  // Only for a live QR of an active app: unknown states must not grow the table.
  const attempt = await takeCallbackAttempt(state);
  const person = await personFor(code, qr, settings);
  // Claimed only once SG-Verify has vouched for the code: a made-up one must not use up the
  // visitor's QR. Of concurrent real callbacks exactly one wins the claim; the others store nothing.
  if (qr.qrType === 'dynamic' && !(await claimDynamicQr(state))) throw stateUsed();
  await storePendingResult(state, await sealDataToken(person, app));
  await returnCallbackAttempt(attempt);
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
