import type { ErrorCode } from '../shared/core/errors.ts';
import type { ApiFamily } from './routes.ts';

/** A status for every family, or a default with the families that answer otherwise. */
type Status = number | ({ default: number } & Partial<Record<ApiFamily, number>>);

/**
 * The one table from what the domain says to the status the API answers, beside the route table
 * whose `api` names each route's family. The code in the body is the domain's code. A new code
 * without a row here does not compile.
 */
export const ERROR_STATUS = {
  missing_parameter: 400,
  repeated_parameter: 400,
  invalid_parameter: 400,
  missing_header: 400,
  repeated_header: 400,
  invalid_header: 400,
  invalid_body: 400,
  unsupported_media_type: 415,
  body_too_large: 413,
  // A QR code is a resource a kiosk polls: unknown or expired, it is not there (404).
  invalid_state: { default: 400, sgverify: 404 },
  state_expired: { default: 400, sgverify: 404 },
  state_used: 400,
  invalid_api_key: 403,
  provider_not_enabled: 403,
  scope_not_allowed: 403,
  scope_not_granted: 403,
  unknown_grant: 403,
  grant_revoked: 403,
  grant_lost: 403,
  not_found: 404,
  route_not_allowed: 404,
  upstream_not_found: 404,
  invalid_code: 400,
  too_many_attempts: 429,
  upstream_rate_limited: 429,
  upstream_rejected: 400,
  // The spec answers 404 "Invalid Myinfo server response" for the data APIs, while Singpass Login
  // lists only 500 for anything on the server side. Apps call CPFHub through us as through a
  // gateway: 502, and a timeout is the gateway's 504.
  upstream_unreachable: { default: 502, myinfo: 404, myinfobiz: 404, singpass: 500 },
  upstream_timeout: { default: 502, myinfo: 404, myinfobiz: 404, singpass: 500, cpfhub: 504 },
  upstream_error_status: { default: 502, myinfo: 404, myinfobiz: 404, singpass: 500 },
  upstream_bad_response: { default: 502, myinfo: 404, myinfobiz: 404, singpass: 500 },
  upstream_bad_signature: { default: 502, myinfo: 404, myinfobiz: 404, singpass: 500 },
  upstream_bad_encryption: { default: 502, myinfo: 404, myinfobiz: 404, singpass: 500 },
  upstream_bad_token: { default: 502, myinfo: 404, myinfobiz: 404, singpass: 500 },
} as const satisfies Record<ErrorCode, Status>;

export const statusOf = (code: ErrorCode, family: ApiFamily): number => {
  const status: Status = ERROR_STATUS[code];
  return typeof status === 'number' ? status : (status[family] ?? status.default);
};
