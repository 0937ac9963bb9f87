import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from 'aws-lambda';
import type { Route } from '../../infra/routes.ts';
import { headerMapsOf, queryMapsOf } from '../../local/gateway.ts';
import {
  type AuthorizerHandler,
  LOCAL_ACCOUNT,
  lambdaContext,
  loadHandler,
  type ProxyHandler,
} from '../../local/lambda-runtime.ts';
import type { FuzzCase } from './cases.ts';
import type { Outcome } from './outcome.ts';
import { savedAuthorizerEvent, savedProxyEvent } from './saved-events.ts';
import { within } from './within.ts';

/**
 * A case sent straight into the handlers, as `npm run invoke` does: the saved event for its route
 * with the case's method, path, query, headers and body in it, passed through JSON as the Lambda
 * runtime does (so `__proto__` arrives as an own key), and the authorizer run first for a private
 * route. What API Gateway would do with a failing Lambda becomes a `lambda-failure`.
 */

const STAGE = 'v1';

const asLambdaSeesIt = <T>(event: T): T => JSON.parse(JSON.stringify(event)) as T;

const decoded = (raw: string): string | undefined => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
};

/** `{proxy+}` takes the rest of the path after its prefix, decoded, as API Gateway passes it. */
const pathParametersOf = (route: Route, rawPath: string): Record<string, string> | null => {
  const greedy = route.path.indexOf('{');
  if (greedy < 0) return null;
  const prefix = route.path.slice(0, greedy);
  const rest = rawPath.startsWith(prefix) ? rawPath.slice(prefix.length) : rawPath.replace(/^\//, '');
  return { proxy: decoded(rest) ?? rest };
};

interface RequestParts {
  path: string;
  headers: ReturnType<typeof headerMapsOf>;
  query: ReturnType<typeof queryMapsOf>;
}

const errorName = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

type Authorized = { context: Record<string, unknown> } | { outcome: Outcome };

/** The authorizer context API Gateway would pass on, or how the case ended before the handler. */
const authorize = async (fuzzCase: FuzzCase, parts: RequestParts, timeoutMs: number): Promise<Authorized> => {
  const forged = fuzzCase.forgedAppId;
  const asForged = () => ({ context: { appId: forged, principalId: forged } });
  const refused = (reason: string) => ({
    outcome: { kind: 'refused-by-gateway', status: 403, reason } as const,
  });
  // API Gateway calls no authorizer whose identity source (the Authorization header) is absent.
  const hasKey = Object.keys(parts.headers.single).some((name) => name.toLowerCase() === 'authorization');
  if (!hasKey) return forged === undefined ? refused('no key') : asForged();
  const event = asLambdaSeesIt({
    ...savedAuthorizerEvent(),
    methodArn: `arn:aws:execute-api:ap-southeast-1:${LOCAL_ACCOUNT}:local/${STAGE}/${fuzzCase.method}${parts.path}`,
    resource: fuzzCase.route.path,
    path: parts.path,
    httpMethod: fuzzCase.method,
    headers: parts.headers.single,
    multiValueHeaders: parts.headers.multi,
    queryStringParameters: parts.query?.single ?? null,
    multiValueQueryStringParameters: parts.query?.multi ?? null,
  });
  const authorizer = await loadHandler<AuthorizerHandler>('authorizer');
  let decision: APIGatewayAuthorizerResult;
  try {
    const result = await within(timeoutMs, () => authorizer(event, lambdaContext('authorizer')));
    if ('timedOut' in result) return { outcome: { kind: 'hang', afterMs: timeoutMs } };
    decision = result.value;
  } catch (error) {
    const reason = `the authorizer threw ${errorName(error)}`;
    return { outcome: { kind: 'lambda-failure', status: 500, reason } };
  }
  const statement = decision?.policyDocument?.Statement?.[0];
  if (typeof decision?.principalId !== 'string' || !statement) {
    return { outcome: { kind: 'lambda-failure', status: 500, reason: 'the authorizer answered no policy' } };
  }
  if (forged !== undefined) return asForged();
  if (statement.Effect !== 'Allow' || !decision.usageIdentifierKey) return refused('the authorizer denied');
  return { context: { ...decision.context, principalId: decision.principalId } };
};

const isPrimitive = (value: unknown) => ['string', 'number', 'boolean'].includes(typeof value);

/** Why API Gateway could not pass this result on (its 502 "malformed Lambda proxy response"), or undefined. */
const malformation = (result: unknown): string | undefined => {
  if (result === null || typeof result !== 'object') return 'no object';
  const { statusCode, body, headers, multiValueHeaders } = result as Record<string, unknown>;
  if (!Number.isInteger(statusCode) || Number(statusCode) < 100 || Number(statusCode) > 599)
    return 'no status';
  if (body !== undefined && typeof body !== 'string') return 'a body that is no string';
  if (headers !== undefined && (headers === null || typeof headers !== 'object')) return 'bad headers';
  if (headers && !Object.values(headers).every(isPrimitive)) return 'a header value that is no scalar';
  if (multiValueHeaders && !Object.values(multiValueHeaders).every((values) => Array.isArray(values))) {
    return 'a multi-value header that is no list';
  }
  return undefined;
};

const contentTypeOf = (result: APIGatewayProxyResult): string => {
  const single = Object.entries(result.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type');
  if (single) return String(single[1]);
  const multi = Object.entries(result.multiValueHeaders ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  );
  return multi ? String(multi[1][0] ?? '') : '';
};

export const invokeHandlers = async (
  fuzzCase: FuzzCase,
  requestId: string,
  timeoutMs: number,
): Promise<Outcome> => {
  const { route } = fuzzCase;
  const path = decoded(fuzzCase.path);
  if (path === undefined) return { kind: 'refused-by-gateway', status: 400, reason: 'undecodable path' };
  const parts: RequestParts = {
    path,
    headers: headerMapsOf(fuzzCase.headers.flat()),
    query: queryMapsOf(new URLSearchParams(fuzzCase.query)),
  };
  let authorizer: Record<string, unknown> | null = null;
  if (route.auth === 'apiKey') {
    const authorized = await authorize(fuzzCase, parts, timeoutMs);
    if ('outcome' in authorized) return authorized.outcome;
    authorizer = authorized.context;
  }
  const saved = savedProxyEvent(route);
  const body =
    fuzzCase.body &&
    (fuzzCase.base64Body ? fuzzCase.body.toString('base64') : fuzzCase.body.toString('utf8'));
  const event = asLambdaSeesIt({
    ...saved,
    resource: route.path,
    path,
    httpMethod: fuzzCase.method,
    headers: parts.headers.single,
    multiValueHeaders: parts.headers.multi,
    queryStringParameters: parts.query?.single ?? null,
    multiValueQueryStringParameters: parts.query?.multi ?? null,
    pathParameters: pathParametersOf(route, fuzzCase.path),
    requestContext: {
      ...saved.requestContext,
      requestId,
      httpMethod: fuzzCase.method,
      resourcePath: route.path,
      path: `/${STAGE}${path}`,
      authorizer,
    },
    body,
    isBase64Encoded: fuzzCase.base64Body,
  });
  const handler = await loadHandler<ProxyHandler>(route.function);
  let result: APIGatewayProxyResult;
  try {
    const finished = await within(timeoutMs, () => handler(event, lambdaContext(route.function)));
    if ('timedOut' in finished) return { kind: 'hang', afterMs: timeoutMs };
    result = finished.value;
  } catch (error) {
    return { kind: 'lambda-failure', status: 502, reason: `the handler threw ${errorName(error)}` };
  }
  const malformed = malformation(result);
  if (malformed)
    return { kind: 'lambda-failure', status: 502, reason: `a malformed proxy result: ${malformed}` };
  const text = result.isBase64Encoded ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  return {
    kind: 'answered',
    answer: { status: result.statusCode, contentType: contentTypeOf(result), body: text ?? '' },
  };
};
