import * as client from 'openid-client';
import {
  DomainError,
  UpstreamFailed,
  type UpstreamFailure,
  type UpstreamName,
  type UpstreamRefusal,
} from '../../core/errors.ts';

// oauth4webapi's codes for a JWT (ID token, userinfo) that fails a check.
const TOKEN_CHECKS = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_JWT_USERINFO_EXPECTED',
]);

const failureOf = (error: unknown): UpstreamFailure => {
  if (error instanceof client.ResponseBodyError || error instanceof client.WWWAuthenticateChallengeError) {
    return 'error_status';
  }
  if (error instanceof client.ClientError) {
    if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT') return 'timeout';
    if (error.code === 'OAUTH_DECRYPTION_FAILED') return 'bad_encryption';
    return error.code !== undefined && TOKEN_CHECKS.has(error.code) ? 'bad_token' : 'bad_response';
  }
  // fetch's own failure: nothing answered.
  return error instanceof TypeError ? 'unreachable' : 'bad_response';
};

const statusOf = (error: unknown): number | undefined =>
  error instanceof client.ResponseBodyError || error instanceof client.WWWAuthenticateChallengeError
    ? error.status
    : undefined;

/**
 * What Singpass said when it refused: the OAuth `error` of a PAR or token answer's body, or of a
 * userinfo answer's `WWW-Authenticate` challenge.
 */
const refusalOf = (error: unknown): Partial<UpstreamRefusal> | undefined => {
  if (error instanceof client.ResponseBodyError) {
    return { error: error.error, description: error.error_description };
  }
  if (error instanceof client.WWWAuthenticateChallengeError) {
    const parameters = error.cause.find((challenge) => challenge.parameters.error)?.parameters;
    return { error: parameters?.error, description: parameters?.error_description };
  }
  return undefined;
};

/**
 * openid-client's failures as ours. Only the kind and Singpass's refusal are shown or logged: the
 * library's messages can quote tokens or response bodies, so its error is kept as the cause, whose
 * class name alone reaches the log. Our own errors pass unchanged.
 */
export const asUpstreamError = (provider: UpstreamName, error: unknown): DomainError => {
  if (error instanceof DomainError) return error;
  const upstreamStatus = statusOf(error);
  const refusal = refusalOf(error);
  return new UpstreamFailed(provider, failureOf(error), {
    ...(upstreamStatus !== undefined ? { upstreamStatus } : {}),
    ...(refusal ? { refusal } : {}),
    cause: error,
  });
};
