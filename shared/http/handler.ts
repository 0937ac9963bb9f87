import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../log/logger.ts';
import { SecpassError, UpstreamError } from './errors.ts';
import { errorBody, jsonResponse } from './responses.ts';

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** The one place where errors become HTTP responses. */
const toHttp = (error: unknown): APIGatewayProxyResult => {
  if (error instanceof SecpassError) {
    const fields = { code: error.code, status: error.status };
    if (error instanceof UpstreamError) {
      logger.warn('upstream failure', {
        ...fields,
        provider: error.provider,
        upstreamStatus: error.upstreamStatus,
      });
    } else {
      logger.info('request refused', fields);
    }
    return jsonResponse(error.status, errorBody(error.code, error.message));
  }
  // Only the error's class name: messages of library errors can quote tokens or payloads.
  logger.error('unexpected failure', { errorName: error instanceof Error ? error.name : typeof error });
  return jsonResponse(500, errorBody('internal_error', 'We had a problem with our server. Try again later.'));
};

/** One function serving several routes: picks the handler by `METHOD /resource`. */
export const routedHandler = (routes: Record<string, HttpHandler>) =>
  httpHandler(async (event, context) => {
    const handle = routes[`${event.httpMethod} ${event.resource}`];
    if (!handle) throw new SecpassError(404, 'not_found', 'No such route.');
    return handle(event, context);
  });

/** Wraps a route handler with request-scoped logging and the error mapping. */
export const httpHandler = (handle: HttpHandler) =>
  middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    // resetKeys: a warm container must not carry one request's keys into the next.
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .before(({ event }) => {
      logger.appendKeys({
        apiRequestId: event.requestContext?.requestId,
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
        return toHttp(error);
      }
    });
