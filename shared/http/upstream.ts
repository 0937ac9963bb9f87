import type * as z from 'zod/mini';
import { setting } from '../config/env.ts';
import { UpstreamError, type UpstreamName } from './errors.ts';

export interface UpstreamResponse {
  status: number;
  headers: Headers;
  body: string;
}

// Person data and CPF statements are a few KB; anything much larger is not an answer we asked for.
const MAX_RESPONSE_BYTES = 1024 * 1024;

const isTimeout = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

class TooLarge extends Error {}

/** Reads at most `limit` bytes: an upstream cannot make us buffer more than that. */
const readCapped = async (response: Response, limit: number): Promise<string> => {
  if (Number(response.headers.get('content-length') ?? 0) > limit) throw new TooLarge();
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.byteLength;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * Calls an upstream with a timeout, without following redirects and with a bounded answer, and
 * returns whatever status it answered; transport failures and oversized answers become an
 * UpstreamError naming the provider.
 */
export const sendUpstream = async (
  provider: UpstreamName,
  url: string,
  init: RequestInit,
): Promise<UpstreamResponse> => {
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(setting('UPSTREAM_TIMEOUT_MS')),
    });
  } catch (error) {
    throw new UpstreamError(provider, isTimeout(error) ? 'timeout' : 'unreachable');
  }
  let body: string;
  try {
    body = await readCapped(response, MAX_RESPONSE_BYTES);
  } catch (error) {
    if (error instanceof TooLarge) throw new UpstreamError(provider, 'bad_response', response.status);
    throw new UpstreamError(provider, isTimeout(error) ? 'timeout' : 'unreachable');
  }
  return { status: response.status, headers: response.headers, body };
};

/** `sendUpstream` for calls where anything but a 2xx is that upstream's `error_status`. */
export const callUpstream = async (
  provider: UpstreamName,
  url: string,
  init: RequestInit,
): Promise<UpstreamResponse> => {
  const response = await sendUpstream(provider, url, init);
  if (response.status < 200 || response.status > 299) {
    throw new UpstreamError(provider, 'error_status', response.status);
  }
  return response;
};

/** An upstream's JSON answer, validated; anything else is that upstream's `bad_response`. */
export const parseUpstreamJson = <T>(provider: UpstreamName, schema: z.ZodMiniType<T>, body: string): T => {
  try {
    return schema.parse(JSON.parse(body));
  } catch {
    throw new UpstreamError(provider, 'bad_response');
  }
};
