import { randomUUID } from 'node:crypto';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import { FUNCTION_MEMORY_MB, type FunctionName, handlerEntry, timeoutSecondsOf } from '../infra/routes.ts';
import { runAsFunction } from '../shared/adapters/invoking-function.ts';

/**
 * What the Lambda runtime gives a handler, for running it in this process: the local gateway and
 * `npm run invoke` both call the real handlers through here. The logger reads the context's names.
 */
export const LOCAL_ACCOUNT = '000000000000';

/** The two shapes of handler `loadHandler` hands back: a route's function, and the authorizer. */
export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AuthorizerHandler = (
  event: APIGatewayRequestAuthorizerEvent,
  context: Context,
) => Promise<APIGatewayAuthorizerResult>;

const handlers = new Map<FunctionName, Promise<unknown>>();

/**
 * The function's `handler` export, imported once per process as Lambda keeps it warm. Each
 * invocation runs as that function: its AWS calls carry its own credentials, so the local
 * endpoints grant it what its role grants on AWS.
 */
export const loadHandler = async <T>(name: FunctionName): Promise<T> => {
  if (!handlers.has(name)) {
    handlers.set(
      name,
      import(`../${handlerEntry(name)}`).then((module: { handler?: unknown }) => {
        const { handler } = module;
        if (typeof handler !== 'function') throw new Error(`${handlerEntry(name)} exports no handler`);
        return (...args: unknown[]): unknown => runAsFunction(name, () => handler(...args));
      }),
    );
  }
  return (await handlers.get(name)) as T;
};

export const lambdaContext = (name: FunctionName): Context => {
  const deadline = Date.now() + timeoutSecondsOf(name) * 1000;
  const region = process.env.AWS_REGION ?? 'ap-southeast-1';
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:${LOCAL_ACCOUNT}:function:${name}`,
    memoryLimitInMB: String(FUNCTION_MEMORY_MB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
