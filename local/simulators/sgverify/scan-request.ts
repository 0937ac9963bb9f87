import type { IncomingMessage } from 'node:http';
import { SimulatorError } from '../http.ts';

/**
 * The body of `POST /phone/scan`: `{ "url": "<what the QR code holds>", "uinfin": "<who scans>" }`.
 * The shared HTTP helpers read forms only; the phone speaks JSON, so it reads its own body.
 */
export interface ScanRequest {
  url: string;
  uinfin: string;
}

const MAX_BODY_BYTES = 64 * 1024;

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') throw new SimulatorError(400, 'Content-Type must be application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new SimulatorError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new SimulatorError(400, 'request body is not JSON');
  }
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const readScanRequest = async (req: IncomingMessage): Promise<ScanRequest> => {
  const body = await readJson(req);
  if (!isRecord(body) || typeof body.url !== 'string' || typeof body.uinfin !== 'string') {
    throw new SimulatorError(400, 'body must be {"url": "<QR code URL>", "uinfin": "<persona UINFIN>"}');
  }
  return { url: body.url, uinfin: body.uinfin };
};
