import { SecpassError } from '../../http/errors.ts';

/**
 * Refusals of SG-Verify's public callback that are about the call, not about SG-Verify: neither is
 * an UpstreamError, so neither counts towards the upstream-failure alarm. Both are shown on a
 * person's phone and name no code, state or person.
 */

/** SG-Verify's token endpoint refused the code (unknown, used, expired, or bound to another QR). */
export class CodeRejectedError extends SecpassError {
  constructor() {
    super(400, 'invalid_code', 'This scan could not be completed. Please scan the QR code again.');
  }
}

/** Too many failed callbacks for one QR code lately; SG-Verify is not asked until the window passes. */
export class TooManyCallbacksError extends SecpassError {
  constructor(retryAfterSeconds: number) {
    super(
      429,
      'too_many_attempts',
      'This QR code has had too many failed attempts. Please try again in a few minutes.',
      { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    );
  }
}
