import { type KeyObject, verify } from 'node:crypto';
import { SimulatorError } from '../http.ts';
import { isUnderAllowedPrefix } from './callback-prefix.ts';
import type { QrUrl } from './qr-url.ts';

/**
 * What the Singpass app checks about a QR code before it shows the consent screen. The spec
 * names the parameters but not the app's checks, so these are the plausible ones: the layout and
 * version first, then the partner's signature, and only then anything the signed values claim
 * (validity window, callback), so an unsigned URL learns nothing about the partner's settings.
 */
export interface AcceptedQr {
  clientId: string;
  callback: string;
  state: string;
  qrType: 'static' | 'dynamic';
  /** Present on every dynamic code; a static code's nonce (if any) is ignored. */
  nonce?: string;
  expiresAt: number;
}

export interface QrPartner {
  clientId: string;
  clientKey: KeyObject;
  allowedCallbackPrefixes: readonly string[];
}

const MILLISECONDS = /^\d{1,16}$/;
// Standard base64 as the spec's sample produces, or its URL-safe form; not a mixture of both.
const BASE64 = /^(?:[A-Za-z0-9+/]+|[A-Za-z0-9_-]+)={0,2}$/;

const invalid = (message: string) => new SimulatorError(400, `invalid QR code: ${message}`);

const qrTypeOf = (qr: QrUrl): AcceptedQr['qrType'] => {
  if (qr.qrType !== 'static' && qr.qrType !== 'dynamic') throw invalid('qr_type must be static or dynamic');
  return qr.qrType;
};

const validityWindow = (qr: QrUrl): { startsAt: number; expiresAt: number } => {
  if (!MILLISECONDS.test(qr.timestampStart) || !MILLISECONDS.test(qr.timestampExpiry)) {
    throw invalid('timestamp_start and timestamp_expiry must be Unix epoch milliseconds');
  }
  const startsAt = Number(qr.timestampStart);
  const expiresAt = Number(qr.timestampExpiry);
  if (expiresAt < startsAt) throw invalid('timestamp_expiry is before timestamp_start');
  return { startsAt, expiresAt };
};

const signatureVerifies = (qr: QrUrl, clientKey: KeyObject): boolean =>
  BASE64.test(qr.signature) &&
  verify('sha256', Buffer.from(qr.signedPart, 'utf8'), clientKey, Buffer.from(qr.signature, 'base64'));

export const checkQr = (partner: QrPartner, qr: QrUrl, now: number): AcceptedQr => {
  if (qr.version !== '2') throw invalid('v must be 2');
  if (qr.signatureMethod !== 'RS256') throw invalid('signature_method must be RS256');
  const qrType = qrTypeOf(qr);
  if (qrType === 'dynamic' && qr.nonce === undefined) throw invalid('a dynamic code needs a nonce');
  const { startsAt, expiresAt } = validityWindow(qr);

  if (qr.clientId !== partner.clientId)
    throw new SimulatorError(401, 'client_id is not a registered partner');
  if (!signatureVerifies(qr, partner.clientKey)) {
    throw new SimulatorError(401, 'QR code signature does not verify with the partner key');
  }

  // No allowance for clock skew: the partner chose the window, and a kiosk can widen it itself.
  if (now < startsAt) throw invalid('QR code is not valid yet');
  if (now > expiresAt) throw invalid('QR code has expired');
  if (!isUnderAllowedPrefix(qr.callback, partner.allowedCallbackPrefixes)) {
    throw new SimulatorError(403, 'callback is not registered for this partner');
  }
  return {
    clientId: qr.clientId,
    callback: qr.callback,
    state: qr.state,
    qrType,
    ...(qrType === 'dynamic' && qr.nonce !== undefined ? { nonce: qr.nonce } : {}),
    expiresAt,
  };
};
