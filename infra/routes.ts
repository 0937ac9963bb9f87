/**
 * The route table both worlds share: the CDK stack builds API Gateway from it and the local
 * gateway emulator routes by it, so a route cannot exist in one and not the other.
 */
export const FUNCTION_NAMES = ['authorizer', 'authorise-init', 'person-fetch', 'jwks'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: HttpMethod;
  /** API Gateway resource path; `{name}` segments are path parameters. */
  path: string;
  function: Exclude<FunctionName, 'authorizer'>;
  /** `apiKey`: the Lambda authorizer runs first; `public`: anyone may call. */
  auth: 'apiKey' | 'public';
}

export const ROUTES: readonly Route[] = [
  { method: 'GET', path: '/myinfo/init', function: 'authorise-init', auth: 'apiKey' },
  { method: 'GET', path: '/myinfo/token', function: 'person-fetch', auth: 'apiKey' },
  { method: 'GET', path: '/.well-known/jwks.json', function: 'jwks', auth: 'public' },
];

/**
 * How long API Gateway keeps the authorizer's answer per Authorization header. Handlers re-check
 * the app and the presented key, so a disabled app or rotated key is refused at once anyway.
 */
export const AUTHORIZER_CACHE_SECONDS = 300;

/** Where each function's handler lives; CDK bundles it, the emulator imports it. */
export const handlerEntry = (name: FunctionName): string => `functions/${name}/handler.ts`;

/**
 * What API Gateway answers itself when the authorizer refuses a caller. A missing header never
 * reaches the authorizer, so UNAUTHORIZED is mapped to the same 403 the spec promises.
 */
export const DENIED_RESPONSE = {
  statusCode: 403,
  body: { error: 'invalid_api_key', message: 'The API key is missing or invalid.' },
} as const;

/** What API Gateway answers for a path or method no route declares (its "missing token" reply). */
export const NOT_FOUND_RESPONSE = {
  statusCode: 404,
  body: { error: 'not_found', message: 'No such route.' },
} as const;
