/**
 * What the domain says when it refuses a call or an upstream fails it. These carry no HTTP
 * status: `infra/error-answers.ts`, beside the route table, gives each code its status per API
 * family, and the HTTP adapter is the only place that renders them. Messages are fixed sentences
 * a caller may see: never personal data, tokens or keys. A `cause` is kept for the log only.
 */
export abstract class DomainError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request itself is malformed: a parameter, header or body. */
export type InputProblem =
  | 'missing_parameter'
  | 'repeated_parameter'
  | 'invalid_parameter'
  | 'missing_header'
  | 'repeated_header'
  | 'invalid_header'
  | 'invalid_body'
  | 'unsupported_media_type'
  | 'body_too_large';
export class InvalidInput extends DomainError<InputProblem> {}

/** A state (or QR code) that cannot be used: unknown (or another app's), used, or expired. */
export type StateProblem = 'invalid_state' | 'state_used' | 'state_expired';
export class StateRefused extends DomainError<StateProblem> {}

/** The caller may not do this: its key, its app's settings or its CPFHub grant say no. */
export type AccessProblem =
  | 'invalid_api_key'
  | 'provider_not_enabled'
  | 'scope_not_allowed'
  | 'scope_not_granted'
  | 'unknown_grant'
  | 'grant_revoked'
  | 'grant_lost';
export class AccessRefused extends DomainError<AccessProblem> {}

/** No such thing here: a route, a CPFHub call we do not forward, or a CPFHub resource. */
export type AbsenceProblem = 'not_found' | 'route_not_allowed' | 'upstream_not_found';
export class NotFound extends DomainError<AbsenceProblem> {}

/**
 * An authorisation code the upstream refused (unknown, used, expired or not this flow's). Anyone
 * can send one, so it is the caller's mistake, not an upstream failure an operator must see.
 */
export class CodeRejected extends DomainError<'invalid_code'> {
  constructor(message: string) {
    super('invalid_code', message);
  }
}

/** Too many failed attempts lately; the caller may retry after `retryAfterSeconds`. */
export class TooManyAttempts extends DomainError<'too_many_attempts'> {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('too_many_attempts', message);
  }
}

/** The upstreams, by the name a caller sees in messages. */
export type UpstreamName = 'Myinfo' | 'Myinfo Business' | 'Singpass' | 'SG-Verify' | 'CPFHub';

export type UpstreamFailure =
  | 'unreachable'
  | 'timeout'
  | 'error_status'
  | 'bad_response'
  | 'bad_signature'
  | 'bad_encryption'
  | 'bad_token';

const UPSTREAM_SENTENCES: Record<UpstreamFailure, string> = {
  unreachable: 'could not be reached',
  timeout: 'did not answer in time',
  error_status: 'answered with an error',
  bad_response: 'answered with something that is not a valid response',
  bad_signature: 'sent data whose signature does not verify',
  bad_encryption: 'sent data that could not be decrypted',
  bad_token: 'issued an access token that does not verify',
};

/** An upstream's own OAuth refusal: its `error` code is shown to the app, its description only logged. */
export interface UpstreamRefusal {
  error: string;
  description?: string;
}

/** OAuth error codes are a few lowercase words; anything else is not passed on. */
const OAUTH_ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;
const DESCRIPTION_LENGTH = 200;
/** A description is the upstream's free text: keep it printable and short, and mask what could identify a person or be a token. */
const sanitisedDescription = (text: string | undefined): string | undefined =>
  text
    ?.replace(/[^\x20-\x7e]/g, ' ')
    .replace(/[STFGM]\d{7}[A-Z]/gi, '[redacted]')
    // Compact JWS/JWE, then any long opaque value (codes, access tokens).
    .replace(/[A-Za-z0-9_-]{8,}(\.[A-Za-z0-9_-]{8,}){1,4}/g, '[redacted]')
    .replace(/[A-Za-z0-9_-]{32,}/g, '[redacted]')
    .slice(0, DESCRIPTION_LENGTH);

const refusalFrom = (given: Partial<UpstreamRefusal> | undefined): UpstreamRefusal | undefined => {
  if (!given?.error || !OAUTH_ERROR_CODE.test(given.error)) return undefined;
  const description = sanitisedDescription(given.description);
  return description ? { error: given.error, description } : { error: given.error };
};

export interface UpstreamFailureDetail {
  /** The status the upstream answered with, when it answered. */
  upstreamStatus?: number;
  /** What the upstream said when it refused us, in OAuth's terms. */
  refusal?: Partial<UpstreamRefusal>;
  /** For the log: the library error or response that made us give up. Never shown. */
  cause?: unknown;
}

/** An upstream failed the call: which one, how, and (for the log) why. */
export class UpstreamFailed extends DomainError<`upstream_${UpstreamFailure}`> {
  readonly upstreamStatus?: number;
  readonly refusal?: UpstreamRefusal;

  constructor(
    readonly provider: UpstreamName,
    readonly failure: UpstreamFailure,
    detail: UpstreamFailureDetail = {},
  ) {
    super(`upstream_${failure}`, `${provider} ${UPSTREAM_SENTENCES[failure]}.`, { cause: detail.cause });
    if (detail.upstreamStatus !== undefined) this.upstreamStatus = detail.upstreamStatus;
    const kept = refusalFrom(detail.refusal);
    if (kept) this.refusal = kept;
  }
}

/** The upstream's rate limit, passed on with its Retry-After so the app backs off as asked. */
export class UpstreamRateLimited extends DomainError<'upstream_rate_limited'> {
  constructor(
    readonly provider: UpstreamName,
    readonly retryAfter: string | undefined,
  ) {
    super('upstream_rate_limited', `${provider} is rate limiting requests; retry later.`);
  }
}

/** The upstream refused what the app sent (its fields, named in the message, never their values). */
export class UpstreamRejected extends DomainError<'upstream_rejected'> {
  constructor(message: string) {
    super('upstream_rejected', message);
  }
}

export type ErrorCode =
  | InputProblem
  | StateProblem
  | AccessProblem
  | AbsenceProblem
  | 'invalid_code'
  | 'too_many_attempts'
  | `upstream_${UpstreamFailure}`
  | 'upstream_rate_limited'
  | 'upstream_rejected';
