import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
} from 'aws-lambda';
import {
  AUTHORIZER_CACHE_SECONDS,
  AUTHORIZER_FAILURE_RESPONSE,
  DENIED_RESPONSE,
  NOT_FOUND_RESPONSE,
  ROUTES,
  type Route,
  SERVER_FAILURE_RESPONSE,
} from '../infra/routes.ts';
import { sandboxAppId } from '../shared/adapters/sandbox.ts';
import { apiReferenceAnswer } from './api-reference.ts';
import {
  type AuthorizerHandler,
  LOCAL_ACCOUNT,
  lambdaContext,
  loadHandler,
  type ProxyHandler,
} from './lambda-runtime.ts';

/**
 * An API Gateway (REST, proxy integration) emulator driven by the same route table as the CDK
 * stack: it runs the real authorizer first for private routes, builds the proxy event API
 * Gateway would build, and invokes the real handler in this process. Like API Gateway it
 * caches the authorizer's answer per Authorization header for AUTHORIZER_CACHE_SECONDS.
 */

const STAGE = 'local';
const API_ID = 'local';

const MAX_BODY_BYTES = 1024 * 1024;

interface Matched {
  route: Route;
  pathParameters: Record<string, string> | null;
}

/**
 * A map holding exactly the names the request sent. API Gateway hands the Lambda JSON, where
 * `__proto__`, `constructor` or `toString` are keys like any other; a plain object here would
 * read those names from Object.prototype instead, or set its prototype.
 */
const namesOnly = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** Query parameters or headers as API Gateway passes them: the last value, and every value in order. */
export interface ParameterMaps {
  single: Record<string, string>;
  multi: Record<string, string[]>;
}

const mapsOf = (pairs: Iterable<readonly [string, string]>): ParameterMaps => {
  const single = namesOnly<string>();
  const multi = namesOnly<string[]>();
  for (const [name, value] of pairs) {
    single[name] = value;
    multi[name] = [...(multi[name] ?? []), value];
  }
  return { single, multi };
};

/** Node's raw header list is name, value, name, value…, names as the client spelt them. */
export const headerMapsOf = (rawHeaders: readonly string[]): ParameterMaps => {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    pairs.push([rawHeaders[i] ?? '', rawHeaders[i + 1] ?? '']);
  return mapsOf(pairs);
};

/** No query string at all is `null` in API Gateway's event, not an empty map. */
export const queryMapsOf = (params: URLSearchParams): ParameterMaps | null =>
  params.size === 0 ? null : mapsOf(params);

/**
 * API Gateway percent-decodes the path before it routes (path parameters reach the Lambda
 * decoded), and answers a path it cannot decode (a truncated `%E0%A4%A`, `%zz`, bytes that are not
 * UTF-8) with a 400 of its own: neither the authorizer nor the Lambda runs. That is how it is
 * observed to behave; AWS documents no gateway response type for it, so none we could restyle, and
 * its body there is API Gateway's own. Here it is in the API's `{ error, message }` form.
 */
const isDecodable = (path: string): boolean => {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
};

const BAD_PATH_RESPONSE = {
  statusCode: 400,
  body: { error: 'bad_request', message: 'The request path is not a valid URL path.' },
} as const;

/** Like API Gateway: fixed paths before greedy ones, and of greedy ones the longer prefix first. */
const specificity = (route: Route): number =>
  route.path.includes('+}') ? route.path.indexOf('{') : Number.MAX_SAFE_INTEGER;

const compiled = [...ROUTES]
  .sort((a, b) => specificity(b) - specificity(a))
  .map((route) => {
    const names: string[] = [];
    const pattern = route.path
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)(\+?)\}$/.exec(segment);
        if (!param?.[1]) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1]);
        return param[2] ? '(.+)' : '([^/]+)';
      })
      .join('/');
    return { route, names, regex: new RegExp(`^${pattern}$`) };
  });

const match = (method: string, path: string): Matched | undefined => {
  for (const { route, names, regex } of compiled) {
    const found = route.method === method || route.method === 'ANY' ? regex.exec(path) : null;
    if (found) {
      if (names.length === 0) return { route, pathParameters: null };
      const pathParameters = namesOnly<string>();
      names.forEach((name, i) => {
        pathParameters[name] = decodeURIComponent(found[i + 1] ?? '');
      });
      return { route, pathParameters };
    }
  }
  return undefined;
};

const send = (res: ServerResponse, result: APIGatewayProxyResult) => {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  res.writeHead(result.statusCode, headers);
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
};

const gatewayAnswer = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const readBody = async (req: IncomingMessage): Promise<string | null> => {
  // A request that announces no body has none (HTTP/1.1): nothing to wait for.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RangeError('body too large');
    chunks.push(chunk as Buffer);
  }
  return chunks.length ? Buffer.concat(chunks).toString('utf8') : null;
};

const arnPatterns = new Map<string, RegExp>();

/** A policy resource as a pattern, made once per resource (an app's policy names the same one each time). */
const arnPattern = (resource: string): RegExp => {
  let pattern = arnPatterns.get(resource);
  if (!pattern) {
    pattern = new RegExp(
      `^${resource
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    if (arnPatterns.size >= 1024) arnPatterns.clear();
    arnPatterns.set(resource, pattern);
  }
  return pattern;
};

/** Allowed when some Allow statement's resource matches the method ARN (wildcards as IAM reads them). */
const allows = (result: APIGatewayAuthorizerResult, methodArn: string): boolean =>
  result.policyDocument.Statement.some((statement) => {
    if (statement.Effect !== 'Allow' || !('Resource' in statement)) return false;
    const resources: string[] = [statement.Resource ?? []].flat();
    return resources.some((resource) => arnPattern(resource).test(methodArn));
  });

const authorizerCache = new Map<string, { decision: APIGatewayAuthorizerResult; expiresAt: number }>();

/**
 * `identity` undefined: an authorizer without identity source, which API Gateway never caches.
 * The event is made only when the authorizer runs.
 */
const authorize = async (identity: string | undefined, event: () => APIGatewayRequestAuthorizerEvent) => {
  const cached = identity === undefined ? undefined : authorizerCache.get(identity);
  if (cached && cached.expiresAt > Date.now()) return cached.decision;
  const authorizer = await loadHandler<AuthorizerHandler>('authorizer');
  const decision = await authorizer(event(), lambdaContext('authorizer'));
  if (identity !== undefined) {
    authorizerCache.set(identity, { decision, expiresAt: Date.now() + AUTHORIZER_CACHE_SECONDS * 1000 });
  }
  return decision;
};

/**
 * The request target alone, parsed under a fixed origin: the Host header is the client's to spell
 * (`a b`, empty, `[::1`), and a target of `//x/y` must stay a path rather than name a host.
 */
const targetOf = (req: IncomingMessage): URL | undefined => {
  try {
    return new URL(`http://gateway.invalid${req.url ?? '/'}`);
  } catch {
    return undefined;
  }
};

const handle = async (req: IncomingMessage, host: string): Promise<APIGatewayProxyResult> => {
  const url = targetOf(req);
  const method = req.method ?? 'GET';
  if (!url || !isDecodable(url.pathname)) {
    return gatewayAnswer(BAD_PATH_RESPONSE.statusCode, BAD_PATH_RESPONSE.body);
  }
  // The API's own reference, which only the local gateway serves (docs/openapi.yaml on AWS).
  const reference = apiReferenceAnswer(method, url.pathname);
  if (reference) return reference;
  const matched = match(method, url.pathname);
  if (!matched) return gatewayAnswer(NOT_FOUND_RESPONSE.statusCode, NOT_FOUND_RESPONSE.body);
  const { route, pathParameters } = matched;

  let body: string | null;
  try {
    body = await readBody(req);
  } catch {
    return gatewayAnswer(413, { error: 'body_too_large', message: 'The request body is too large.' });
  }
  const headers = headerMapsOf(req.rawHeaders);
  const query = queryMapsOf(url.searchParams);
  const requestContext = {
    accountId: LOCAL_ACCOUNT,
    apiId: API_ID,
    stage: STAGE,
    requestId: randomUUID(),
    requestTimeEpoch: Date.now(),
    resourceId: route.path,
    resourcePath: route.path,
    httpMethod: method,
    path: `/${STAGE}${url.pathname}`,
    protocol: 'HTTP/1.1',
    domainName: host,
    identity: {
      sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      userAgent: headers.single['User-Agent'] ?? null,
    },
    authorizer: null as Record<string, unknown> | null,
  };
  const methodArn = `arn:aws:execute-api:ap-southeast-1:${LOCAL_ACCOUNT}:${API_ID}/${STAGE}/${method}${url.pathname}`;

  if (route.auth === 'apiKey') {
    const authorization = Object.entries(headers.single).find(
      ([name]) => name.toLowerCase() === 'authorization',
    );
    // API Gateway does not call a REQUEST authorizer whose identity source is absent. A sandbox
    // deployment's authorizer has none, and so no cache (infra/stack.ts): every call reaches it.
    const sandbox = sandboxAppId() !== undefined;
    const identity = sandbox ? undefined : authorization?.[1];
    if (!sandbox && !identity) return gatewayAnswer(DENIED_RESPONSE.statusCode, DENIED_RESPONSE.body);
    let decision: APIGatewayAuthorizerResult;
    try {
      decision = await authorize(
        identity,
        () =>
          ({
            type: 'REQUEST',
            methodArn,
            resource: route.path,
            path: url.pathname,
            httpMethod: method,
            headers: headers.single,
            multiValueHeaders: headers.multi,
            pathParameters,
            queryStringParameters: query?.single ?? null,
            multiValueQueryStringParameters: query?.multi ?? null,
            stageVariables: null,
            requestContext: { ...requestContext, authorizer: undefined },
          }) as unknown as APIGatewayRequestAuthorizerEvent,
      );
    } catch {
      return gatewayAnswer(AUTHORIZER_FAILURE_RESPONSE.statusCode, AUTHORIZER_FAILURE_RESPONSE.body);
    }
    if (!allows(decision, methodArn)) return gatewayAnswer(DENIED_RESPONSE.statusCode, DENIED_RESPONSE.body);
    // Private methods require an API Gateway key, which the authorizer names (key source AUTHORIZER).
    if (!decision.usageIdentifierKey) return gatewayAnswer(DENIED_RESPONSE.statusCode, DENIED_RESPONSE.body);
    requestContext.authorizer = { ...decision.context, principalId: decision.principalId };
  }

  const event = {
    resource: route.path,
    path: url.pathname,
    httpMethod: method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query?.single ?? null,
    multiValueQueryStringParameters: query?.multi ?? null,
    pathParameters,
    stageVariables: null,
    requestContext,
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEvent;
  try {
    const handler = await loadHandler<ProxyHandler>(route.function);
    return await handler(event, lambdaContext(route.function));
  } catch {
    // What API Gateway answers when the integration itself fails.
    return gatewayAnswer(502, SERVER_FAILURE_RESPONSE.body);
  }
};

export interface Gateway {
  url: string;
  /** What `aws apigateway flush-stage-authorizers-cache` does on AWS. */
  flushAuthorizerCache(): void;
  stop(): Promise<void>;
}

export const startGateway = async (port: number): Promise<Gateway> => {
  const server: Server = createServer((req, res) => {
    handle(req, req.headers.host ?? `127.0.0.1:${port}`).then(
      (result) => send(res, result),
      () => send(res, gatewayAnswer(500, SERVER_FAILURE_RESPONSE.body)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    flushAuthorizerCache: () => authorizerCache.clear(),
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
