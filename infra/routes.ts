/**
 * The route table both worlds share: the CDK stack builds API Gateway from it and the local
 * gateway emulator routes by it, so a route cannot exist in one and not the other.
 */
export const FUNCTION_NAMES = [
  'authorizer',
  'authorise-init',
  'token-exchange',
  'person-fetch',
  'sgverify-callback',
  'cpfhub-proxy',
  'jwks',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** The one stage apps call; part of every URL, so part of the issuer too. */
export const STAGE_NAME = 'v1';

/** `ANY`: API Gateway's any-method route; the handler sees the real method. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';

/** The families of the API: each answers errors its own way (see error-answers.ts). */
export type ApiFamily = 'myinfo' | 'myinfobiz' | 'singpass' | 'sgverify' | 'cpfhub' | 'jwks';

export interface Route {
  method: HttpMethod;
  /** API Gateway resource path; `{name}` segments are path parameters. */
  path: string;
  function: Exclude<FunctionName, 'authorizer'>;
  /** `apiKey`: the Lambda authorizer runs first; `public`: anyone may call. */
  auth: 'apiKey' | 'public';
  api: ApiFamily;
}

export const ROUTES = [
  { method: 'GET', path: '/myinfo/init', function: 'authorise-init', auth: 'apiKey', api: 'myinfo' },
  { method: 'GET', path: '/myinfo/token', function: 'person-fetch', auth: 'apiKey', api: 'myinfo' },
  { method: 'GET', path: '/myinfobiz/init', function: 'authorise-init', auth: 'apiKey', api: 'myinfobiz' },
  { method: 'GET', path: '/myinfobiz/token', function: 'person-fetch', auth: 'apiKey', api: 'myinfobiz' },
  {
    method: 'POST',
    path: '/oidc/singpass/authReqUri',
    function: 'authorise-init',
    auth: 'apiKey',
    api: 'singpass',
  },
  {
    method: 'POST',
    path: '/oidc/singpass/userInfo',
    function: 'token-exchange',
    auth: 'apiKey',
    api: 'singpass',
  },
  { method: 'POST', path: '/sgverify/qr', function: 'authorise-init', auth: 'apiKey', api: 'sgverify' },
  // SG-Verify calls this after a scan; it carries no API key, the state names the app.
  {
    method: 'GET',
    path: '/sgverify/callback',
    function: 'sgverify-callback',
    auth: 'public',
    api: 'sgverify',
  },
  { method: 'GET', path: '/sgverify/result', function: 'person-fetch', auth: 'apiKey', api: 'sgverify' },
  { method: 'GET', path: '/cpfhub/oauth/init', function: 'authorise-init', auth: 'apiKey', api: 'cpfhub' },
  { method: 'GET', path: '/cpfhub/oauth/token', function: 'token-exchange', auth: 'apiKey', api: 'cpfhub' },
  { method: 'DELETE', path: '/cpfhub/oauth/grant', function: 'cpfhub-proxy', auth: 'apiKey', api: 'cpfhub' },
  // Greedy paths: API Gateway prefers the fixed paths above, then the longer prefix.
  { method: 'ANY', path: '/cpfhub/user/{proxy+}', function: 'cpfhub-proxy', auth: 'apiKey', api: 'cpfhub' },
  { method: 'ANY', path: '/cpfhub/{proxy+}', function: 'cpfhub-proxy', auth: 'apiKey', api: 'cpfhub' },
  { method: 'GET', path: '/.well-known/jwks.json', function: 'jwks', auth: 'public', api: 'jwks' },
  // Our relying-party keys: Singpass verifies client assertions and encrypts ID tokens with them.
  { method: 'GET', path: '/singpass/jwks', function: 'jwks', auth: 'public', api: 'jwks' },
] as const satisfies readonly Route[];

/** `METHOD /path`, as a function's handler names the routes it serves. */
export type RouteKey<R extends Route = (typeof ROUTES)[number]> = R extends Route
  ? `${R['method']} ${R['path']}`
  : never;

/** The routes the table gives one function: its handler can serve these and no other. */
export type RouteKeyOf<F extends Route['function']> = RouteKey<
  Extract<(typeof ROUTES)[number], { function: F }>
>;

export const routeKeyOf = (route: Route): RouteKey<Route> => `${route.method} ${route.path}`;

/**
 * How long API Gateway keeps the authorizer's answer per Authorization header. Handlers re-check
 * the app and the presented key, so a disabled app or rotated key is refused at once anyway.
 */
export const AUTHORIZER_CACHE_SECONDS = 300;

/** Every function's memory; Lambda gives CPU in proportion. */
export const FUNCTION_MEMORY_MB = 512;

/** The authorizer sits in front of every private call, so it must answer well inside the gateway's 29 s. */
export const timeoutSecondsOf = (name: FunctionName): number => (name === 'authorizer' ? 10 : 29);

/** Where each function's handler lives; CDK bundles it, the emulator imports it. */
export const handlerEntry = (name: FunctionName): string => `functions/${name}/handler.ts`;

/** A reply API Gateway gives by itself, in the API's `{ error, message }` format. */
export interface GatewayAnswer {
  /** Omitted: keep the status API Gateway chose (e.g. 502 or 504 under DEFAULT_5XX). */
  statusCode?: number;
  body: { error: string; message: string };
}

/**
 * What API Gateway answers itself when the authorizer refuses a caller. A missing header never
 * reaches the authorizer, so UNAUTHORIZED is mapped to the same 403 the spec promises.
 */
export const DENIED_RESPONSE = {
  statusCode: 403,
  body: { error: 'invalid_api_key', message: 'The API key is missing or invalid.' },
} as const satisfies GatewayAnswer;

/** What API Gateway answers for a path or method no route declares (its "missing token" reply). */
export const NOT_FOUND_RESPONSE = {
  statusCode: 404,
  body: { error: 'not_found', message: 'No such route.' },
} as const satisfies GatewayAnswer;

export const AUTHORIZER_FAILURE_RESPONSE = {
  statusCode: 500,
  body: { error: 'authorizer_failure', message: 'The request could not be authorized. Try again later.' },
} as const satisfies GatewayAnswer;

export const THROTTLED_RESPONSE = {
  statusCode: 429,
  body: { error: 'throttled', message: 'Too many requests. Slow down and try again.' },
} as const satisfies GatewayAnswer;

/** A handler that crashed or timed out: API Gateway's 502/504, with our body. */
export const SERVER_FAILURE_RESPONSE = {
  body: { error: 'internal_error', message: 'We had a problem with our server. Try again later.' },
} as const satisfies GatewayAnswer;

/** Every API Gateway response type we restyle, and the answer it gets. */
export const GATEWAY_RESPONSES: readonly { types: readonly string[]; answer: GatewayAnswer }[] = [
  // INVALID_API_KEY: the authorizer named no usage plan key (an app without a plan).
  { types: ['UNAUTHORIZED', 'ACCESS_DENIED', 'INVALID_API_KEY'], answer: DENIED_RESPONSE },
  { types: ['MISSING_AUTHENTICATION_TOKEN'], answer: NOT_FOUND_RESPONSE },
  { types: ['AUTHORIZER_FAILURE', 'AUTHORIZER_CONFIGURATION_ERROR'], answer: AUTHORIZER_FAILURE_RESPONSE },
  { types: ['THROTTLED', 'QUOTA_EXCEEDED'], answer: THROTTLED_RESPONSE },
  { types: ['DEFAULT_5XX'], answer: SERVER_FAILURE_RESPONSE },
];
