import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { statusOf } from '../../infra/error-answers.ts';
import {
  type ApiFamily,
  type FunctionName,
  ROUTES,
  type RouteKeyOf,
  routeKeyOf,
} from '../../infra/routes.ts';
import {
  DomainError,
  type ErrorCode,
  NotFound,
  TooManyAttempts,
  UpstreamFailed,
  UpstreamRateLimited,
} from '../core/errors.ts';
import { inInvocationScope, logger } from '../log/logger.ts';
import { countUpstreamFailure } from '../log/metrics.ts';
import { errorBody, htmlResponse, jsonResponse } from './responses.ts';

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Apps get JSON; a person's phone or browser (SG-Verify's callback) gets a short page. */
export type ErrorFormat = 'json' | 'html';

const render = (
  format: ErrorFormat,
  status: number,
  code: string,
  message: string,
  detail: Record<string, string> = {},
): APIGatewayProxyResult =>
  format === 'html'
    ? htmlResponse(status, message)
    : jsonResponse(status, { ...errorBody(code, message), ...detail });

const withHeaders = (result: APIGatewayProxyResult, headers: Readonly<Record<string, string>>) => ({
  ...result,
  headers: { ...result.headers, ...headers },
});

/** Headers an answer must carry so the caller backs off as long as asked. */
const headersOf = (error: DomainError): Record<string, string> => {
  if (error instanceof TooManyAttempts) {
    return { 'Retry-After': String(Math.max(1, Math.ceil(error.retryAfterSeconds))) };
  }
  if (error instanceof UpstreamRateLimited && error.retryAfter) return { 'Retry-After': error.retryAfter };
  return {};
};

/** The one place where errors become HTTP responses, with the status the error table gives. */
const toHttp = (error: unknown, family: ApiFamily, format: ErrorFormat): APIGatewayProxyResult => {
  if (error instanceof DomainError) {
    const code = error.code as ErrorCode;
    const status = statusOf(code, family);
    const fields = { code, status };
    let detail: Record<string, string> = {};
    if (error instanceof UpstreamFailed) {
      logger.warn('upstream failure', {
        ...fields,
        provider: error.provider,
        upstreamStatus: error.upstreamStatus,
        upstreamError: error.refusal?.error,
        upstreamErrorDescription: error.refusal?.description,
        // Only the class name: messages of library errors can quote tokens or payloads.
        causeName: error.cause instanceof Error ? error.cause.name : undefined,
      });
      countUpstreamFailure(error.provider);
      // The upstream's own code is what an operator needs to fix an onboarding problem.
      if (error.refusal) detail = { upstream_error: error.refusal.error };
    } else {
      logger.info('request refused', fields);
    }
    return withHeaders(render(format, status, code, error.message, detail), headersOf(error));
  }
  // Only the error's class name: messages of library errors can quote tokens or payloads.
  logger.error('unexpected failure', { errorName: error instanceof Error ? error.name : typeof error });
  return render(format, 500, 'internal_error', 'We had a problem with our server. Try again later.');
};

const familyByKey = new Map<string, ApiFamily>(ROUTES.map((route) => [routeKeyOf(route), route.api]));
const familyOf = (event: APIGatewayProxyEvent): ApiFamily =>
  familyByKey.get(`${event.httpMethod} ${event.resource}`) ??
  familyByKey.get(`ANY ${event.resource}`) ??
  'jwks';

/**
 * One function serving the routes the route table gives it, by `METHOD /resource` (or
 * `ANY /resource`): the keys are checked against the table, so no handler serves a route the
 * table (and so API Gateway) lacks.
 */
export const routedHandler = <F extends FunctionName>(
  _function: F,
  routes: Record<RouteKeyOf<Exclude<F, 'authorizer'>>, HttpHandler>,
  format: ErrorFormat = 'json',
): HttpHandler => {
  const byKey: Record<string, HttpHandler> = routes;
  return httpHandler(async (event, context) => {
    const handle = byKey[`${event.httpMethod} ${event.resource}`] ?? byKey[`ANY ${event.resource}`];
    if (!handle) throw new NotFound('not_found', 'No such route.');
    return handle(event, context);
  }, format);
};

/**
 * An app's `X-Correlation-Id` lands in every log line of its request, so it is kept only when it
 * cannot carry what our logs must never hold: a short plain token such as a UUID (no free text,
 * dots or slashes), with no NRIC/FIN anywhere in it and not one of our API keys. Else the request id.
 */
const PLAIN_TOKEN = /^[A-Za-z0-9_-]{1,64}$/;
const NRIC_OR_FIN = /[STFGM]\d{7}[A-Z]/i;
const API_KEY_PREFIX = /spk_/i;
const isSafeCorrelationId = (given: string): boolean =>
  PLAIN_TOKEN.test(given) && !NRIC_OR_FIN.test(given) && !API_KEY_PREFIX.test(given);

const correlationIdOf = (event: APIGatewayProxyEvent): string | undefined => {
  const given = Object.entries(event.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'x-correlation-id',
  )?.[1];
  return typeof given === 'string' && isSafeCorrelationId(given) ? given : event.requestContext?.requestId;
};

/** Wraps a route handler with request-scoped logging and the error mapping. */
const httpHandler = (handle: HttpHandler, format: ErrorFormat): HttpHandler => {
  const wrapped = withLoggingAndErrors(handle, format);
  return (event, context) => inInvocationScope(() => wrapped(event, context));
};

const withLoggingAndErrors = (handle: HttpHandler, format: ErrorFormat) =>
  middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    // resetKeys: a warm container must not carry one request's keys into the next.
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .before(({ event }) => {
      logger.appendKeys({
        apiRequestId: event.requestContext?.requestId,
        correlationId: correlationIdOf(event),
        route: `${event.httpMethod} ${event.resource}`,
      });
    })
    .after(({ response }) => {
      logger.info('request done', { status: response?.statusCode });
    })
    .handler(async (event, context) => {
      try {
        return await handle(event, context);
      } catch (error) {
        return toHttp(error, familyOf(event), format);
      }
    });
