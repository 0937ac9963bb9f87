import { SecpassApiError } from './errors.ts';

/** How the client reaches Secpass: its base URL, the app's API key, and the fetch to use. */
export interface HttpOptions {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch;
  /** Per request; Secpass's own handlers give up after 29 s. */
  timeoutMs: number;
}

export interface SecpassRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  path: string;
  query?: Record<string, string | number> | undefined;
  json?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal | undefined;
}

export type Call = (request: SecpassRequest) => Promise<Response>;

/** `Retry-After` as seconds: delta-seconds or an HTTP date. */
export const retryAfterOf = (header: string | null): number | undefined => {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
};

interface ErrorBody {
  error: string;
  message: string;
  upstream_error?: string;
}

const isErrorBody = (body: unknown): body is ErrorBody =>
  typeof body === 'object' &&
  body !== null &&
  typeof (body as ErrorBody).error === 'string' &&
  typeof (body as ErrorBody).message === 'string';

/** The refusal a non-success answer carries, read from Secpass's `{error, message}` body. */
export const apiErrorOf = async (response: Response): Promise<SecpassApiError> => {
  const text = await response.text().catch(() => '');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const retryAfter = retryAfterOf(response.headers.get('retry-after'));
  if (!isErrorBody(body)) {
    return new SecpassApiError({
      status: response.status,
      code: 'unexpected_response',
      message: `Secpass answered ${response.status} without an error body.`,
      retryAfter,
    });
  }
  return new SecpassApiError({
    status: response.status,
    code: body.error,
    message: body.message,
    upstreamError: body.upstream_error,
    retryAfter,
  });
};

/** An answer with a status the route never gives for success. */
export const unexpectedStatus = (response: Response, expected: string): SecpassApiError =>
  new SecpassApiError({
    status: response.status,
    code: 'unexpected_response',
    message: `Secpass answered ${response.status} where ${expected} was expected.`,
  });

const urlOf = (baseUrl: string, path: string, query: SecpassRequest['query']) => {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}${path}`);
  for (const [name, value] of Object.entries(query ?? {})) url.searchParams.set(name, String(value));
  return url;
};

/**
 * One authenticated call. Redirects are never followed: the init routes answer 302 and the
 * client hands the Location to the app, which sends the person's browser there.
 */
export const createCall =
  (options: HttpOptions): Call =>
  (request) => {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    return options.fetch(urlOf(options.baseUrl, request.path, request.query), {
      method: request.method,
      redirect: 'manual',
      headers: {
        Authorization: `Basic ${options.apiKey}`,
        Accept: 'application/json, application/jose',
        ...(request.json === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...request.headers,
      },
      ...(request.json === undefined ? {} : { body: JSON.stringify(request.json) }),
      signal: request.signal ? AbortSignal.any([timeout, request.signal]) : timeout,
    });
  };

/** The body of a 2xx answer as JSON, or the refusal. */
export const jsonOf = async <T>(response: Response): Promise<T> => {
  if (response.status < 200 || response.status > 299) throw await apiErrorOf(response);
  return (await response.json()) as T;
};

/** The `Location` of an init route's 302, or the refusal. */
export const locationOf = async (response: Response): Promise<string> => {
  const location = response.headers.get('location');
  if (response.status === 302 && location) return location;
  if (response.status >= 400) throw await apiErrorOf(response);
  throw unexpectedStatus(response, '302 with a Location');
};

/** The compact token of a `200 application/jose` answer, or the refusal. */
export const joseOf = async (response: Response): Promise<string> => {
  if (response.status === 200) return (await response.text()).trim();
  if (response.status >= 400) throw await apiErrorOf(response);
  throw unexpectedStatus(response, '200');
};
