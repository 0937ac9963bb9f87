import {
  AccessRefused,
  InvalidInput,
  NotFound,
  UpstreamFailed,
  UpstreamRateLimited,
  UpstreamRejected,
} from '../../core/errors.ts';
import type { UpstreamClient, UpstreamResponse } from '../../core/upstream-client.ts';
import { type AllowedCall, allowedCall } from './allow-list.ts';
import { rejectedFieldsOf, rejectionMessage } from './rejected-fields.ts';

// A month's contributions for a large payroll fits well within this; API Gateway would take 10 MB.
const MAX_REQUEST_BODY_BYTES = 256 * 1024;
const MAX_QUERY_LENGTH = 2_048;

/** A call the app asked Secpass to forward, already held to the allow-list. */
export interface CpfhubCall {
  allowed: AllowedCall;
  query: string;
  body?: string;
}

/** What the app sent to `/cpfhub/{proxy+}`, as the HTTP layer read it from the request. */
export interface ForwardRequest {
  method: string;
  /** The `{proxy+}` part of the path. */
  path: string;
  query: Readonly<Record<string, readonly string[] | undefined>>;
  contentType: string | undefined;
  body: string | undefined;
}

/** The JSON body of a call that carries one; CPFHub takes nothing else. */
const jsonBodyOf = (request: ForwardRequest): string => {
  const type = request.contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new InvalidInput('unsupported_media_type', 'The request body must be application/json.');
  }
  const body = request.body ?? '';
  if (Buffer.byteLength(body) > MAX_REQUEST_BODY_BYTES) {
    throw new InvalidInput('body_too_large', 'The request body is too large.');
  }
  try {
    JSON.parse(body);
  } catch {
    throw new InvalidInput('invalid_body', 'The request body must be JSON.');
  }
  return body;
};

/**
 * What the app asks to forward, from the `{proxy+}` path: only allow-listed calls, with their
 * query string re-encoded from what API Gateway parsed. Nothing else of the app's request (its
 * Authorization header, hop-by-hop headers, cookies) goes on.
 */
export const cpfhubCall = (request: ForwardRequest): CpfhubCall => {
  const allowed = allowedCall(request.method, request.path);
  if (!allowed) throw new NotFound('route_not_allowed', 'Secpass does not forward this CPFHub call.');
  const params = new URLSearchParams();
  for (const [name, values] of Object.entries(request.query)) {
    for (const value of values ?? []) params.append(name, value);
  }
  const query = params.toString();
  if (query.length > MAX_QUERY_LENGTH) {
    throw new InvalidInput('invalid_parameter', 'The query string is too long.');
  }
  return { allowed, query, ...(allowed.method === 'GET' ? {} : { body: jsonBodyOf(request) }) };
};

/** The app may make this call only if every party has granted its scope. */
export const requireScope = (call: CpfhubCall, granted: readonly string[]): void => {
  if (!granted.includes(call.allowed.scope)) {
    throw new AccessRefused('scope_not_granted', `This call needs the CPFHub scope ${call.allowed.scope}.`);
  }
};

/** Sends an allow-listed call to CPFHub's API under `apiBaseUrl`, with `bearer` as its credential. */
export type CpfhubSender = (call: CpfhubCall, bearer: string) => Promise<UpstreamResponse>;

export const cpfhubSender =
  (apiBaseUrl: string, http: UpstreamClient): CpfhubSender =>
  (call, bearer) => {
    const url = `${apiBaseUrl.replace(/\/$/, '')}/${call.allowed.path}`;
    return http.send('CPFHub', call.query ? `${url}?${call.query}` : url, {
      method: call.allowed.method,
      headers: {
        Authorization: `Bearer ${bearer}`,
        Accept: 'application/json',
        ...(call.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: call.body,
    });
  };

/** Seconds or an HTTP date, as RFC 9110 allows; anything else is not passed on. */
const retryAfterOf = (value: string | null): string | undefined =>
  value && (/^\d{1,7}$/.test(value) || !Number.isNaN(Date.parse(value))) ? value : undefined;

const isJson = (body: string): boolean => {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
};

/**
 * CPFHub's answer for the app: a JSON success passes through as it came; a rate limit passes on
 * with its Retry-After; an invalid input names the fields CPFHub rejected; any other failure
 * becomes our own error, never CPFHub's body.
 */
export interface CpfhubAnswer {
  statusCode: number;
  /** CPFHub's JSON, byte for byte. */
  body: string;
}

export const cpfhubAnswer = (response: UpstreamResponse): CpfhubAnswer => {
  const { status } = response;
  if (status >= 200 && status <= 299) {
    const type = response.headers.get('content-type') ?? '';
    if (!/^application\/json\b/i.test(type) || !isJson(response.body)) {
      throw new UpstreamFailed('CPFHub', 'bad_response', { upstreamStatus: status });
    }
    return { statusCode: status, body: response.body };
  }
  if (status === 429)
    throw new UpstreamRateLimited('CPFHub', retryAfterOf(response.headers.get('retry-after')));
  if (status === 400 || status === 422) {
    // Names of the app's own inputs only: CPFHub's sentence can quote the values the app sent.
    throw new UpstreamRejected(rejectionMessage(rejectedFieldsOf(response.body)));
  }
  if (status === 404) throw new NotFound('upstream_not_found', 'CPFHub has no such resource.');
  throw new UpstreamFailed('CPFHub', 'error_status', { upstreamStatus: status });
};
