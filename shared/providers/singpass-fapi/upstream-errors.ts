import * as client from 'openid-client';
import { SecpassError, UpstreamError, type UpstreamFailure, type UpstreamName } from '../../http/errors.ts';

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
 * openid-client's failures as ours. Only the kind is kept: their messages and causes can quote
 * tokens or response bodies. Our own errors pass unchanged.
 */
export const asUpstreamError = (provider: UpstreamName, error: unknown): SecpassError =>
  error instanceof SecpassError ? error : new UpstreamError(provider, failureOf(error), statusOf(error));
