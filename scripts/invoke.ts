import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type {
  APIGatewayAuthorizerResult,
  APIGatewayProxyEvent,
  APIGatewayProxyResult,
  APIGatewayRequestAuthorizerEvent,
  Context,
} from 'aws-lambda';
import * as z from 'zod/mini';
import { FUNCTION_NAMES, type FunctionName } from '../infra/routes.ts';
import { lambdaContext, loadHandler } from '../local/lambda-runtime.ts';
import { useLocalEnvironment } from '../local/local-environment.ts';
import { exitWithUsageIfAsked } from './help.ts';

/**
 * `npm run invoke -- <function> <event.json> [--local] [--api-key KEY] [--app-id ID]`: runs one
 * function's real handler in this process with a saved API Gateway event (see `events/`), the way
 * Lambda would, and prints what it returned. No Docker: the counterpart of `sam local invoke`.
 */
const USAGE = `usage: npm run invoke -- <function> <event.json> [--local] [--api-key KEY] [--app-id ID]
functions: ${FUNCTION_NAMES.join(', ')}
options:
  --local        run against a running \`npm start\` (reads .local/demo-app.json); without it the
                 function's usual AWS environment variables apply, as on Lambda
  --api-key KEY  put this key in the event's Authorization header instead of the placeholder
  --app-id ID    name this app in the authorizer context instead of the placeholder
                 (with --local, defaults to the demo app the key belongs to)
example: npm run invoke -- authorise-init events/myinfo-init.json --local --api-key "$KEY"`;

export type LambdaEvent = APIGatewayProxyEvent | APIGatewayRequestAuthorizerEvent;
export type LambdaResult = APIGatewayProxyResult | APIGatewayAuthorizerResult;
type Handler = (event: LambdaEvent, context: Context) => Promise<LambdaResult>;

/** Bad input from the person at the keyboard: answered with a message and the usage, never a stack. */
export class InvokeUsageError extends Error {}

export const isFunctionName = (name: string): name is FunctionName =>
  (FUNCTION_NAMES as readonly string[]).includes(name);

/** Runs the function's handler once with this event, as Lambda would; a thrown error propagates. */
export const invokeEvent = async (name: FunctionName, event: LambdaEvent): Promise<LambdaResult> =>
  (await loadHandler<Handler>(name))(event, lambdaContext(name));

// Only what the handlers and the router rely on; API Gateway sends more, and the rest passes untouched.
const AuthorizerEventShape = z.looseObject({
  type: z.literal('REQUEST'),
  methodArn: z.string(),
  headers: z.nullable(z.record(z.string(), z.string())),
});
const ProxyEventShape = z.looseObject({
  httpMethod: z.string(),
  resource: z.string(),
  headers: z.nullable(z.record(z.string(), z.string())),
  requestContext: z.looseObject({ requestId: z.string() }),
  body: z.nullable(z.string()),
});

/** The event, checked to be the kind this function takes (a REQUEST authorizer event or a REST proxy event). */
export const parseEvent = (name: FunctionName, text: string, source = 'the event'): LambdaEvent => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvokeUsageError(`${source} is not valid JSON`);
  }
  const authorizer = name === 'authorizer';
  const result = (authorizer ? AuthorizerEventShape : ProxyEventShape).safeParse(parsed);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    const kind = authorizer ? 'an API Gateway REQUEST authorizer event' : 'an API Gateway REST proxy event';
    throw new InvokeUsageError(`${source} is not ${kind} (check: ${fields.join(', ')})`);
  }
  return parsed as LambdaEvent;
};

export const readEvent = (name: FunctionName, file: string): LambdaEvent => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InvokeUsageError(`cannot read the event file ${file}`);
  }
  return parseEvent(name, text, file);
};

export interface Credentials {
  apiKey?: string;
  appId?: string;
}

type HeaderMap = Record<string, string | undefined> | null | undefined;
type MultiHeaderMap = Record<string, string[] | undefined> | null | undefined;

const setAuthorization = (headers: HeaderMap, value: string) => {
  for (const name of Object.keys(headers ?? {})) {
    if (headers && name.toLowerCase() === 'authorization') headers[name] = value;
  }
};
const setMultiAuthorization = (headers: MultiHeaderMap, value: string) => {
  for (const name of Object.keys(headers ?? {})) {
    if (headers && name.toLowerCase() === 'authorization') headers[name] = [value];
  }
};

/**
 * A copy of the event with a real API key in place of the placeholder, and (for a private route)
 * the app id the authorizer would have put in its context: what makes a saved event succeed.
 * Only fields the event already has change, so a public route's event stays keyless.
 */
export const withCredentials = <E extends LambdaEvent>(event: E, { apiKey, appId }: Credentials): E => {
  const copy = structuredClone(event);
  if (apiKey) {
    setAuthorization(copy.headers, `Basic ${apiKey}`);
    setMultiAuthorization(copy.multiValueHeaders, `Basic ${apiKey}`);
  }
  const context = 'authorizer' in copy.requestContext ? copy.requestContext.authorizer : undefined;
  if (appId && context) Object.assign(context, { appId, principalId: appId });
  return copy;
};

const LOCAL_DIR = process.env.SECPASS_LOCAL_DIR ?? '.local';

// What `npm start` writes (local/start.ts) that invoking a handler needs.
const RunningStack = z.object({
  handlerEnvironment: z.record(z.string(), z.string()),
  apps: z.array(z.object({ appId: z.string(), apiKey: z.string() })),
});
type RunningStack = z.infer<typeof RunningStack>;

const readRunningStack = (): RunningStack => {
  const file = join(LOCAL_DIR, 'demo-app.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InvokeUsageError(`--local needs ${file}: start the local stack with \`npm start\` first`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = RunningStack.safeParse(json);
  if (!parsed.success) throw new InvokeUsageError(`${file} is not what \`npm start\` writes; restart it`);
  return parsed.data;
};

/** The file outlives the stack (Ctrl-C leaves it), so check something still answers there. */
const assertRunning = async ({ handlerEnvironment }: RunningStack) => {
  const dynamodbUrl = handlerEnvironment.AWS_ENDPOINT_URL_DYNAMODB ?? '';
  try {
    await fetch(dynamodbUrl, { signal: AbortSignal.timeout(2_000) });
  } catch {
    throw new InvokeUsageError(`nothing answers at ${dynamodbUrl}: is \`npm start\` running?`);
  }
};

/** Points this process at a running `npm start`; returns its demo apps, to match a key to its app. */
const useRunningLocalStack = async (): Promise<RunningStack['apps']> => {
  const stack = readRunningStack();
  await assertRunning(stack);
  useLocalEnvironment(stack.handlerEnvironment);
  return stack.apps;
};

const parseCommandLineStrictly = (argv: string[]) =>
  parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      local: { type: 'boolean', default: false },
      'api-key': { type: 'string' },
      'app-id': { type: 'string' },
    },
  });

/** The function and event file, or a usage error naming what is wrong. */
const parseCommandLine = (argv: string[]) => {
  let parsed: ReturnType<typeof parseCommandLineStrictly>;
  try {
    parsed = parseCommandLineStrictly(argv);
  } catch (error) {
    throw new InvokeUsageError(error instanceof Error ? error.message : String(error));
  }
  const [name, file, ...extra] = parsed.positionals;
  if (!name || !file || extra.length > 0)
    throw new InvokeUsageError('give a function name and an event file');
  if (!isFunctionName(name)) throw new InvokeUsageError(`unknown function "${name}"`);
  return { name, file, options: parsed.values };
};

/**
 * On Lambda the logs go to CloudWatch, apart from the answer; here they go to stderr, so stdout
 * holds only the result and can be piped (what `sam local invoke` does too).
 */
const sendLogsToStderr = (): ((text: string) => void) => {
  const writeResult = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr);
  return (text) => {
    writeResult(text);
  };
};

// Without --local a handler reads its settings from the environment, as on Lambda; most 500s
// and throws here mean some are missing, and the logs name only the error's class.
const ENVIRONMENT_HINT =
  'hint: without --local the function needs its Lambda environment variables (table, secret ids, upstream URLs); add --local to use a running `npm start`';

/** The CLI: 0 when the handler answered (whatever the status), 1 when it threw, 2 on bad input. */
const main = async (argv: string[]): Promise<number> => {
  exitWithUsageIfAsked(USAGE, argv);
  const printResult = sendLogsToStderr();
  try {
    const { name, file, options } = parseCommandLine(argv);
    const event = readEvent(name, file);
    const demoApps = options.local ? await useRunningLocalStack() : [];
    const apiKey = options['api-key'];
    const appId = options['app-id'] ?? demoApps.find((app) => app.apiKey === apiKey)?.appId;
    const result = await invokeEvent(name, withCredentials(event, { apiKey, appId }));
    printResult(`${JSON.stringify(result, null, 2)}\n`);
    if (!options.local && 'statusCode' in result && result.statusCode === 500) {
      console.error(ENVIRONMENT_HINT);
    }
    return 0;
  } catch (error) {
    if (error instanceof InvokeUsageError) {
      console.error(`invoke: ${error.message}\n${USAGE}`);
      return 2;
    }
    // The developer's own terminal: the message says what went wrong (a missing variable, say).
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    console.error(`invoke: the handler threw ${reason}`);
    if (!argv.includes('--local')) console.error(ENVIRONMENT_HINT);
    return 1;
  }
};

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
