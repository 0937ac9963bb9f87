import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import * as z from 'zod/mini';
import type { AppRecord, SgVerifySettings } from '../../apps/app-record.ts';
import { getApp } from '../../apps/app-store.ts';
import { type Caller, loadCallerApp } from '../../apps/caller.ts';
import { setting } from '../../config/env.ts';
import { sealDataToken } from '../../crypto/secpass-token.ts';
import { BadRequestError, ForbiddenError, SecpassError } from '../../http/errors.ts';
import { pkiCredentials } from '../../secrets/pki-credentials.ts';
import { newStateValue, saveState } from '../../store/state-store.ts';
import { nowSeconds } from '../../store/table.ts';
import { exchangeCode, fetchData, type PkiOAuthProfile } from '../pki-oauth/upstream.ts';
import { storePendingResult, takeOldestResult } from './pending-results.ts';
import { claimDynamicQr, isLive, liveQrState } from './qr-state.ts';
import { signedQrUrl } from './qr-url.ts';

const sgVerifyProfile = (): PkiOAuthProfile => ({
  name: 'SG-Verify',
  baseUrl: setting('SGVERIFY_API_BASE_URL').replace(/\/+$/, ''),
  dataPath: (uuid) => `/person/${uuid}/`,
  // SG-Verify names the person by their Singpass uuid.
  subject: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
});

const sgVerifyCredentials = pkiCredentials(() => setting('SGVERIFY_SECRET_ID'));

/** Secpass's public route SG-Verify calls back; the QR names it and the token call repeats it. */
const callbackUrl = () => `${setting('SECPASS_ISSUER').replace(/\/+$/, '')}/sgverify/callback`;

const settingsOf = (app: AppRecord): SgVerifySettings => {
  const settings = app.providers.sgverify;
  if (!settings) throw new ForbiddenError('provider_not_enabled', 'SG-Verify is not enabled for this app.');
  return settings;
};

// A dynamic code serves one visitor for minutes; a printed static code serves a kiosk for up to a year.
const MAX_VALIDITY_SECONDS = { dynamic: 600, static: 365 * 24 * 3600 } as const;
const DEFAULT_VALIDITY_SECONDS = { dynamic: 300, static: 24 * 3600 } as const;

export const QrBody = z.object({
  qrType: z.enum(['static', 'dynamic']),
  kioskId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/))),
  validForSeconds: z.optional(z.number().check(z.int(), z.minimum(30))),
});

export interface QrCode {
  url: string;
  state: string;
  expiresAt: string;
  qrSvg: string;
}

/** `POST /sgverify/qr`: a signed SG-Verify URL bound to a fresh state of this app, and its QR code. */
export const createQr = async (app: AppRecord, body: z.infer<typeof QrBody>): Promise<QrCode> => {
  const settings = settingsOf(app);
  const validFor = body.validForSeconds ?? DEFAULT_VALIDITY_SECONDS[body.qrType];
  if (validFor > MAX_VALIDITY_SECONDS[body.qrType]) {
    throw new BadRequestError(
      'invalid_body',
      `A ${body.qrType} code is valid for at most ${MAX_VALIDITY_SECONDS[body.qrType]} s.`,
    );
  }
  const credentials = await sgVerifyCredentials();
  const state = newStateValue();
  const startsAt = nowSeconds();
  const expiresAt = startsAt + validFor;
  await saveState({
    state,
    appId: app.appId,
    provider: 'sgverify',
    qrType: body.qrType,
    expiresAt,
    redirectUri: callbackUrl(),
    attributes: settings.attributes.join(','),
    ...(body.kioskId ? { kioskId: body.kioskId } : {}),
  });
  const url = signedQrUrl(
    {
      qrBaseUrl: setting('SGVERIFY_QR_BASE_URL'),
      callback: callbackUrl(),
      clientId: credentials.clientId,
      nonce: body.qrType === 'dynamic' ? randomBytes(16).toString('hex') : undefined,
      qrType: body.qrType,
      state,
      startsAt: startsAt * 1000,
      expiresAt: expiresAt * 1000,
    },
    credentials.signingKey,
  );
  return {
    url,
    state,
    expiresAt: new Date(expiresAt * 1000).toISOString(),
    qrSvg: await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }),
  };
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
  await storePendingResult(state, await sealDataToken(person, app.publicJwk));
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
