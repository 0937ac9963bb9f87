import type * as z from 'zod/mini';
import { UpstreamFailed, type UpstreamName } from './errors.ts';
import type { Fetch } from './ports.ts';

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
 * Calls an upstream with a timeout, without following redirects and with a bounded answer;
 * transport failures and oversized answers become an UpstreamFailed naming the provider.
 */
const send = async (
  { fetch, timeoutMs }: UpstreamClientConfig,
  provider: UpstreamName,
  url: string,
  init: RequestInit,
): Promise<UpstreamResponse> => {
  let response: Response;
  try {
    response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw new UpstreamFailed(provider, isTimeout(error) ? 'timeout' : 'unreachable', { cause: error });
  }
  let body: string;
  try {
    body = await readCapped(response, MAX_RESPONSE_BYTES);
  } catch (error) {
    if (error instanceof TooLarge) {
      throw new UpstreamFailed(provider, 'bad_response', { upstreamStatus: response.status, cause: error });
    }
    throw new UpstreamFailed(provider, isTimeout(error) ? 'timeout' : 'unreachable', { cause: error });
  }
  return { status: response.status, headers: response.headers, body };
};

export interface UpstreamClientConfig {
  fetch: Fetch;
  timeoutMs: number;
}

export interface UpstreamClient {
  /** Whatever status the upstream answered. */
  send(provider: UpstreamName, url: string, init: RequestInit): Promise<UpstreamResponse>;
  /** `send` for calls where anything but a 2xx is that upstream's `error_status`. */
  call(provider: UpstreamName, url: string, init: RequestInit): Promise<UpstreamResponse>;
}

export const upstreamClient = (config: UpstreamClientConfig): UpstreamClient => ({
  send: (provider, url, init) => send(config, provider, url, init),
  call: async (provider, url, init) => {
    const response = await send(config, provider, url, init);
    if (response.status < 200 || response.status > 299) {
      throw new UpstreamFailed(provider, 'error_status', { upstreamStatus: response.status });
    }
    return response;
  },
});

/** An upstream's JSON answer, validated; anything else is that upstream's `bad_response`. */
export const parseUpstreamJson = <T>(provider: UpstreamName, schema: z.ZodMiniType<T>, body: string): T => {
  try {
    return schema.parse(JSON.parse(body));
  } catch (error) {
    throw new UpstreamFailed(provider, 'bad_response', { cause: error });
  }
};
