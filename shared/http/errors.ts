/**
 * Every failure a caller may see is one of these; `toHttp` in handler.ts is the only place that
 * turns them into responses. Messages are fixed sentences: never personal data, tokens or keys.
 */
export class SecpassError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Headers the answer must carry, e.g. Retry-After. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends SecpassError {
  constructor(code: string, message: string) {
    super(400, code, message);
  }
}

export class ForbiddenError extends SecpassError {
  constructor(code: string, message: string) {
    super(403, code, message);
  }
}

export class NotFoundError extends SecpassError {
  constructor(code: string, message: string) {
    super(404, code, message);
  }
}

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

/**
 * The status an upstream's failure gets: the spec answers 404 "Invalid Myinfo server response"
 * for the data APIs, while Singpass Login lists only 500 for anything on the server side.
 */
const UPSTREAM_FAILURE_STATUS = {
  Myinfo: 404,
  'Myinfo Business': 404,
  Singpass: 500,
  'SG-Verify': 502,
  CPFHub: 502,
} as const;
export type UpstreamName = keyof typeof UPSTREAM_FAILURE_STATUS;

/** Apps call CPFHub through us as through a gateway, so a timeout is the gateway's 504. */
const statusOf = (provider: UpstreamName, failure: UpstreamFailure): number =>
  provider === 'CPFHub' && failure === 'timeout' ? 504 : UPSTREAM_FAILURE_STATUS[provider];

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

export class UpstreamError extends SecpassError {
  /** What the upstream said when it refused us, when it said it in OAuth's terms. */
  readonly refusal?: UpstreamRefusal;

  constructor(
    readonly provider: UpstreamName,
    readonly failure: UpstreamFailure,
    readonly upstreamStatus?: number,
    refusal?: Partial<UpstreamRefusal>,
  ) {
    super(statusOf(provider, failure), `upstream_${failure}`, `${provider} ${UPSTREAM_SENTENCES[failure]}.`);
    const kept = refusalFrom(refusal);
    if (kept) this.refusal = kept;
  }
}

/** The upstream's rate limit, passed on with its Retry-After so the app backs off as asked. */
export class UpstreamRateLimitedError extends SecpassError {
  constructor(
    readonly provider: UpstreamName,
    retryAfter: string | undefined,
  ) {
    super(
      429,
      'upstream_rate_limited',
      `${provider} is rate limiting requests; retry later.`,
      retryAfter ? { 'Retry-After': retryAfter } : {},
    );
  }
}
