import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimulatorError, sendJson } from '../http.ts';
import type { SgVerifyContext } from './context.ts';
import { deliverCode } from './partner-callback.ts';
import { personaByUinfin } from './personas.ts';
import { checkQr } from './qr-checks.ts';
import { parseQrUrl } from './qr-url.ts';
import { readScanRequest } from './scan-request.ts';

/**
 * POST /phone/scan: what the Singpass app does when a person scans a partner's QR code and
 * consents. The code is issued only once every check has passed, and bound to what the partner
 * signed (client_id, callback as redirect_uri, state) plus who scanned it.
 */
export const SCAN_PATH = '/phone/scan';

export const handleScan = async (
  ctx: SgVerifyContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  const scan = await readScanRequest(req);
  const qr = checkQr(ctx, parseQrUrl(scan.url, ctx.qrBaseUrl), Date.now());
  const persona = personaByUinfin(scan.uinfin);
  if (!persona) throw new SimulatorError(404, 'no Singpass persona has that UINFIN');
  // Claimed last, so a refused scan leaves the code usable; but once claimed it stays spent even
  // if the callback then fails, because the person has scanned it.
  if (qr.nonce !== undefined && !ctx.scannedNonces.claim(qr.clientId, qr.nonce, qr.expiresAt)) {
    throw new SimulatorError(409, 'this dynamic QR code has already been scanned');
  }
  const code = ctx.codes.issue({
    clientId: qr.clientId,
    redirectUri: qr.callback,
    state: qr.state,
    uuid: persona.uuid,
  });
  const callbackStatus = await deliverCode(qr.callback, code, qr.state);
  sendJson(res, 200, { callbackStatus });
};
