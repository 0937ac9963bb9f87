import { statusOf } from '../../infra/error-answers.ts';
import type { ApiFamily } from '../../infra/routes.ts';
import { UpstreamFailed, type UpstreamFailure, type UpstreamName } from '../../shared/core/errors.ts';
import { htmlResponse } from '../../shared/http/responses.ts';

/**
 * What counts as wrong in an answer, independent of how the case was sent.
 *
 * A 5xx is *designed* only when it is one of our documented upstream failures, exactly as
 * the error table renders it: its status for that provider's API and failure, and a body that is
 * `{ error: "upstream_<failure>", message: "<provider> <sentence>." }` (plus `upstream_error`, an
 * OAuth error code, when the upstream refused in OAuth's terms), or for the SG-Verify callback the
 * same message as its HTML page. Every other 5xx is undesigned: `internal_error`, the gateway's
 * 502 for a crashed or malformed Lambda, an authorizer failure, an empty body.
 */
/** Each upstream is called by the routes of one API family. */
const FAMILY_OF: Record<UpstreamName, ApiFamily> = {
  Myinfo: 'myinfo',
  'Myinfo Business': 'myinfobiz',
  Singpass: 'singpass',
  'SG-Verify': 'sgverify',
  CPFHub: 'cpfhub',
};
const FAILURES: Record<UpstreamFailure, true> = {
  unreachable: true,
  timeout: true,
  error_status: true,
  bad_response: true,
  bad_signature: true,
  bad_encryption: true,
  bad_token: true,
};

/** A documented upstream failure as the API answers it. */
export const designedAnswer = (provider: UpstreamName, failure: UpstreamFailure) => {
  const error = new UpstreamFailed(provider, failure);
  return { status: statusOf(error.code, FAMILY_OF[provider]), code: error.code, message: error.message };
};

const DESIGNED_5XX = (Object.keys(FAMILY_OF) as UpstreamName[])
  .flatMap((provider) =>
    (Object.keys(FAILURES) as UpstreamFailure[]).map((failure) => designedAnswer(provider, failure)),
  )
  .filter((error) => error.status >= 500);

const OAUTH_ERROR_CODE = /^[a-z][a-z0-9_]{0,63}$/;

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

const isDesignedJson = ({ status, body }: Answer): boolean => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return false;
  const fields = parsed as Record<string, unknown>;
  const keys = Object.keys(fields).sort().join(',');
  if (keys !== 'error,message' && keys !== 'error,message,upstream_error') return false;
  if ('upstream_error' in fields && !OAUTH_ERROR_CODE.test(String(fields.upstream_error))) return false;
  return DESIGNED_5XX.some(
    (error) => error.status === status && error.code === fields.error && error.message === fields.message,
  );
};

const isDesignedHtml = ({ status, body }: Answer): boolean =>
  DESIGNED_5XX.some((error) => error.status === status && htmlResponse(status, error.message).body === body);

/** Why a 5xx answer is not one we designed, or undefined when it is fine. */
export const undesigned5xx = (answer: Answer): string | undefined => {
  if (answer.status < 500) return undefined;
  const type = answer.contentType.toLowerCase();
  if (type.startsWith('application/json') && isDesignedJson(answer)) return undefined;
  if (type.startsWith('text/html') && isDesignedHtml(answer)) return undefined;
  return `${answer.status} that is no documented upstream failure`;
};

/**
 * Signs that an answer shows our insides: stack frames, source paths, module names, error class
 * names and Node's error codes. Matched as whole words, so a random token is very unlikely to
 * trip one by chance.
 */
const LEAK_MARKERS: readonly (readonly [string, RegExp])[] = [
  ['a stack frame', /(?:^|\n)\s*at \S|\bat (?:async )?[\w$.<>[\]]+ \((?:file:|node:|\/)/],
  ['a stack frame location', /\bat (?:file|node):|\(\/[^)\s]+:\d+:\d+\)/],
  ['node_modules', /node_modules/],
  ['a source file position', /\.(?:ts|mts|js|mjs|cjs):\d+/],
  ['an error label', /\b\w*(?:Error|Exception):/],
  [
    'an error class name',
    /\b(?:DomainError|InvalidInput|StateRefused|AccessRefused|NotFound|CodeRejected|TooManyAttempts|UpstreamFailed|UpstreamRateLimited|UpstreamRejected|InvokeUsageError|ZodError|URIError|TypeError|SyntaxError|RangeError|ReferenceError|AbortError|TimeoutError|JOSEError|JWEDecryptionFailed|JWSSignatureVerificationFailed|JWTExpired|ConditionalCheckFailedException|ResourceNotFoundException|ValidationException|TransactionCanceledException|ProvisionedThroughputExceededException)\b/,
  ],
  ['an AWS SDK name', /\b(?:DynamoDB(?:Client|DocumentClient)|SecretsManagerClient|@aws-sdk|@smithy)\b/],
  ['a Node error code', /\bERR_[A-Z][A-Z_]{2,}\b|\bE(?:CONNREFUSED|CONNRESET|PIPE|NOTFOUND|ADDRINUSE)\b/],
  ['an object printed whole', /\[object \w+\]/],
  ['a file URL', /file:\/\//],
];

/**
 * The first sign of our insides in the body that the request itself did not carry (an answer
 * quoting the caller's own text back is not a leak of ours), or undefined.
 */
export const leakIn = (body: string, requestText: string): string | undefined => {
  for (const [what, marker] of LEAK_MARKERS) {
    const found = marker.exec(body)?.[0];
    if (found !== undefined && !requestText.includes(found.trim()))
      return `${what} (${JSON.stringify(found)})`;
  }
  const here = process.cwd();
  if (here.length > 1 && body.includes(here) && !requestText.includes(here))
    return 'the server’s own directory';
  return undefined;
};
