/**
 * Every failure a caller may see is one of these; `toHttp` in handler.ts is the only place that
 * turns them into responses. Messages are fixed sentences: never personal data, tokens or keys.
 */
export class SecpassError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
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

/** The spec answers 404 "Invalid Myinfo server response" for every upstream failure. */
export class UpstreamError extends SecpassError {
  constructor(
    readonly provider: string,
    readonly failure: UpstreamFailure,
    readonly upstreamStatus?: number,
  ) {
    super(404, `upstream_${failure}`, `${provider} ${UPSTREAM_SENTENCES[failure]}.`);
  }
}
