import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import * as z from 'zod/mini';
import type { AppRecord } from '../../apps/app-record.ts';
import { newStateValue } from '../../core/auth-state.ts';
import { InvalidInput } from '../../core/errors.ts';
import { type SgVerifyFlow, settingsOf } from './flow.ts';
import { signedQrUrl } from './qr-url.ts';

// A dynamic code serves one visitor for minutes; a printed static code serves a kiosk for up to a year.
const MAX_VALIDITY_SECONDS = { dynamic: 600, static: 365 * 24 * 3600 } as const;
const DEFAULT_VALIDITY_SECONDS = { dynamic: 300, static: 24 * 3600 } as const;

export const QrBody = z.object({
  qrType: z.enum(['static', 'dynamic']),
  kioskId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,64}$/))),
  validForSeconds: z.optional(z.number().check(z.int(), z.minimum(30))),
});
export type QrRequest = z.infer<typeof QrBody>;

export interface QrCode {
  url: string;
  state: string;
  expiresAt: string;
  qrSvg: string;
}

/** `POST /sgverify/qr`: a signed SG-Verify URL bound to a fresh state of this app, and its QR code. */
export const createQr = async (flow: SgVerifyFlow, app: AppRecord, body: QrRequest): Promise<QrCode> => {
  const { config, context } = flow;
  const settings = settingsOf(app);
  const validFor = body.validForSeconds ?? DEFAULT_VALIDITY_SECONDS[body.qrType];
  if (validFor > MAX_VALIDITY_SECONDS[body.qrType]) {
    throw new InvalidInput(
      'invalid_body',
      `A ${body.qrType} code is valid for at most ${MAX_VALIDITY_SECONDS[body.qrType]} s.`,
    );
  }
  const credentials = await flow.credentials();
  const state = newStateValue();
  const startsAt = context.clock.nowSeconds();
  const expiresAt = startsAt + validFor;
  const callback = config.callbackUrl;
  await context.states.save({
    state,
    appId: app.appId,
    provider: 'sgverify',
    qrType: body.qrType,
    expiresAt,
    redirectUri: callback,
    attributes: settings.attributes.join(','),
    ...(body.kioskId ? { kioskId: body.kioskId } : {}),
  });
  const url = signedQrUrl(
    {
      qrBaseUrl: config.qrBaseUrl,
      callback,
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
