import type { IncomingMessage } from 'node:http';
import { readJson, SimulatorError } from '../http.ts';

/**
 * The body of `POST /phone/scan`: `{ "url": "<what the QR code holds>", "uinfin": "<who scans>" }`.
 */
export interface ScanRequest {
  url: string;
  uinfin: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const readScanRequest = async (req: IncomingMessage): Promise<ScanRequest> => {
  const body = await readJson(req);
  if (!isRecord(body) || typeof body.url !== 'string' || typeof body.uinfin !== 'string') {
    throw new SimulatorError(400, 'body must be {"url": "<QR code URL>", "uinfin": "<persona UINFIN>"}');
  }
  return { url: body.url, uinfin: body.uinfin };
};
