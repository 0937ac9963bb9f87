import { CodeRejected, TooManyAttempts } from '../../core/errors.ts';

/**
 * Refusals of SG-Verify's public callback that are about the call, not about SG-Verify: neither is
 * an upstream failure, so neither counts towards the upstream-failure alarm. Both are shown on a
 * person's phone and name no code, state or person.
 */

/** SG-Verify's token endpoint refused the code (unknown, used, expired, or bound to another QR). */
export const scanCodeRejected = (): CodeRejected =>
  new CodeRejected('This scan could not be completed. Please scan the QR code again.');

/** Too many failed callbacks for one QR code lately; SG-Verify is not asked until the window passes. */
export const tooManyCallbacks = (retryAfterSeconds: number): TooManyAttempts =>
  new TooManyAttempts(
    'This QR code has had too many failed attempts. Please try again in a few minutes.',
    retryAfterSeconds,
  );
