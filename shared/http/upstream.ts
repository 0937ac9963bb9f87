import type * as z from 'zod/mini';
import { setting } from '../config/env.ts';
import { UpstreamError, type UpstreamName } from './errors.ts';

export interface UpstreamResponse {
  status: number;
  contentType: string;
  body: string;
}

// Person data is a few KB; anything much larger is not an answer we asked for.
const MAX_RESPONSE_BYTES = 1024 * 1024;

const isTimeout = (error: unknown): boolean =>
  error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');

/**
 * Calls an upstream with a timeout and without following redirects, and turns every transport
 * failure, non-2xx or oversized answer into an UpstreamError naming the provider.
 */
export const callUpstream = async (
  provider: UpstreamName,
  url: string,
  init: RequestInit,
): Promise<UpstreamResponse> => {
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, {
      ...init,
      redirect: 'manual',
      signal: AbortSignal.timeout(setting('UPSTREAM_TIMEOUT_MS')),
    });
    body = await response.text();
  } catch (error) {
    throw new UpstreamError(provider, isTimeout(error) ? 'timeout' : 'unreachable');
  }
  if (response.status < 200 || response.status > 299) {
    throw new UpstreamError(provider, 'error_status', response.status);
  }
  if (Buffer.byteLength(body) > MAX_RESPONSE_BYTES) {
    throw new UpstreamError(provider, 'bad_response', response.status);
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
};

/** An upstream's JSON answer, validated; anything else is that upstream's `bad_response`. */
export const parseUpstreamJson = <T>(provider: UpstreamName, schema: z.ZodMiniType<T>, body: string): T => {
  try {
    return schema.parse(JSON.parse(body));
  } catch {
    throw new UpstreamError(provider, 'bad_response');
  }
};
