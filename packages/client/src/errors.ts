/**
 * Every `error` code Secpass documents (README's API table and docs/openapi.yaml). Kept as a
 * list so an app can switch on them with completion; the type stays open (`string & {}`) because
 * a newer Secpass may add codes and an older client must still surface them.
 */
export const SECPASS_ERROR_CODES = [
  // the API key and the app
  'invalid_api_key',
  'provider_not_enabled',
  'scope_not_allowed',
  'scope_not_granted',
  // the request
  'bad_request',
  'not_found',
  'route_not_allowed',
  'missing_parameter',
  'repeated_parameter',
  'invalid_parameter',
  'missing_header',
  'repeated_header',
  'invalid_header',
  'invalid_body',
  'body_too_large',
  'unsupported_media_type',
  // authorisation states and codes
  'invalid_state',
  'state_used',
  'state_expired',
  'invalid_code',
  'too_many_attempts',
  // CPFHub grants
  'unknown_grant',
  'grant_revoked',
  'grant_lost',
  // the upstream (Myinfo, Singpass, SG-Verify, CPFHub)
  'upstream_unreachable',
  'upstream_timeout',
  'upstream_error_status',
  'upstream_bad_response',
  'upstream_bad_token',
  'upstream_bad_encryption',
  'upstream_bad_signature',
  'upstream_rejected',
  'upstream_not_found',
  'upstream_rate_limited',
  // the edge (API Gateway, WAF) and the service
  'throttled',
  'rate_limited',
  'request_blocked',
  'authorizer_failure',
  'internal_error',
] as const;

export type DocumentedErrorCode = (typeof SECPASS_ERROR_CODES)[number];

/**
 * `unexpected_response` is the client's own: Secpass (or something in front of it) answered
 * with a status the route does not use, or without the JSON error body.
 */
export type SecpassErrorCode = DocumentedErrorCode | 'unexpected_response' | (string & {});

/** Secpass refused a call: its status, its stable `error` code and its sentence for people. */
export class SecpassApiError extends Error {
  override readonly name = 'SecpassApiError';
  readonly status: number;
  readonly code: SecpassErrorCode;
  /** Singpass's own OAuth `error` when it refused a FAPI 2.0 call (e.g. `invalid_scope`). */
  readonly upstreamError: string | undefined;
  /** Seconds to wait before trying again, from `Retry-After` (429s and SG-Verify's lock-out). */
  readonly retryAfter: number | undefined;

  constructor(init: {
    status: number;
    code: SecpassErrorCode;
    message: string;
    upstreamError?: string | undefined;
    retryAfter?: number | undefined;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.upstreamError = init.upstreamError;
    this.retryAfter = init.retryAfter;
  }

  /** Narrows `code` to the documented codes, for exhaustive handling. */
  is<C extends DocumentedErrorCode>(...codes: C[]): this is SecpassApiError & { code: C } {
    return (codes as readonly string[]).includes(this.code);
  }
}

/** Why a Secpass token was not accepted. */
export type TokenRefusal =
  | 'undecryptable'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'jwks_unavailable'
  | 'bad_signature'
  | 'wrong_audience'
  | 'wrong_issuer'
  | 'expired'
  | 'not_yet_valid'
  | 'malformed';

/**
 * A token that did not pass the checks: never use its content. The message names the check,
 * never the token or what it holds.
 */
export class SecpassTokenError extends Error {
  override readonly name = 'SecpassTokenError';
  readonly reason: TokenRefusal;

  constructor(reason: TokenRefusal, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** `sgverify.waitForResult` gave up: nobody scanned the code within the time allowed. */
export class SecpassWaitTimeoutError extends Error {
  override readonly name = 'SecpassWaitTimeoutError';
}
