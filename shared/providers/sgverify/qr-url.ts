import { createSign, type KeyObject } from 'node:crypto';

/**
 * The SG-Verify QR URL (spec: "Generating QR Code"): the query parameters in the spec's order,
 * then an RS256 signature over that exact URL string, base64, appended as the last parameter.
 */
export interface QrUrlRequest {
  qrBaseUrl: string;
  callback: string;
  clientId: string;
  /** Dynamic codes only: single-use, so the app refuses a second scan. */
  nonce?: string;
  qrType: 'static' | 'dynamic';
  state: string;
  startsAt: number;
  expiresAt: number;
}

export const signedQrUrl = (request: QrUrlRequest, privateKey: KeyObject): string => {
  const params = new URLSearchParams();
  params.set('callback', request.callback);
  params.set('client_id', request.clientId);
  if (request.nonce) params.set('nonce', request.nonce);
  params.set('qr_type', request.qrType);
  params.set('signature_method', 'RS256');
  params.set('state', request.state);
  params.set('timestamp_expiry', String(request.expiresAt));
  params.set('timestamp_start', String(request.startsAt));
  params.set('v', '2');
  const unsigned = `${request.qrBaseUrl}?${params}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey, 'base64');
  // Appended as is, as the spec assembles it: the app reads everything after `&signature=`.
  return `${unsigned}&signature=${signature}`;
};
