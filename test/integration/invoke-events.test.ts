import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { APIGatewayAuthorizerResult, APIGatewayProxyResult } from 'aws-lambda';
import { type FunctionName, ROUTES, type Route } from '../../infra/routes.ts';
import { writeDemoFile } from '../../local/demo-file.ts';
import { type DemoApp, type LocalStack, startLocalStack } from '../../local/stack.ts';
import {
  type Credentials,
  invokeEvent,
  type LambdaResult,
  readEvent,
  withCredentials,
} from '../../scripts/invoke.ts';

/** `events/` holds one saved API Gateway event per route; each runs through `npm run invoke`'s own code. */
const run = promisify(execFile);
const EVENTS_DIR = 'events';
const EVENT_FILES = readdirSync(EVENTS_DIR).filter((file) => file.endsWith('.json'));

let stack: LocalStack;
let app: DemoApp;

before(async () => {
  stack = await startLocalStack({ demoAppCount: 1 });
  const [first] = stack.apps;
  assert.ok(first);
  app = first;
});
after(async () => {
  await stack?.stop();
});

interface SavedEvent {
  file: string;
  /** Absent for the authorizer's event, which is not a route's. */
  route?: Route;
  function: FunctionName;
}

const routeMatches = (route: Route, method: string, resource: string) =>
  route.path === resource && (route.method === 'ANY' || route.method === method);

/** Which function an event belongs to: the authorizer's carries a method ARN, a route's its resource. */
const savedEvent = (file: string): SavedEvent => {
  const raw = JSON.parse(readFileSync(join(EVENTS_DIR, file), 'utf8')) as {
    methodArn?: string;
    httpMethod?: string;
    resource?: string;
  };
  if (raw.methodArn) return { file, function: 'authorizer' };
  const route = ROUTES.find((candidate) => routeMatches(candidate, raw.httpMethod ?? '', raw.resource ?? ''));
  assert.ok(route, `${file} is for ${raw.httpMethod} ${raw.resource}, which no route in ROUTES declares`);
  return { file, route, function: route.function };
};

const invokeSaved = async (saved: SavedEvent, credentials: Credentials = {}): Promise<LambdaResult> => {
  const event = readEvent(saved.function, join(EVENTS_DIR, saved.file));
  try {
    return await invokeEvent(saved.function, withCredentials(event, credentials));
  } catch (error) {
    // A Lambda that throws is a 502 from API Gateway: never acceptable for a saved event.
    assert.fail(`${saved.file}: ${saved.function} threw ${error instanceof Error ? error.name : error}`);
  }
};

const asProxyResult = (file: string, result: LambdaResult): APIGatewayProxyResult => {
  assert.ok('statusCode' in result, `${file}: not an API Gateway proxy result`);
  return result;
};
const asPolicy = (file: string, result: LambdaResult): APIGatewayAuthorizerResult => {
  assert.ok('policyDocument' in result, `${file}: not an authorizer policy`);
  return result;
};

const headerOf = (result: APIGatewayProxyResult, name: string): string | undefined => {
  const found = Object.entries(result.headers ?? {}).find(
    ([key]) => key.toLowerCase() === name.toLowerCase(),
  );
  return found === undefined ? undefined : String(found[1]);
};

/** What API Gateway could pass on: a status, a string body, and for JSON errors `{ error, message }`. */
const assertWellFormed = (saved: SavedEvent, result: LambdaResult) => {
  const { file } = saved;
  if (saved.function === 'authorizer') {
    const policy = asPolicy(file, result);
    assert.equal(typeof policy.principalId, 'string', file);
    assert.equal(policy.policyDocument.Version, '2012-10-17', file);
    const [statement] = policy.policyDocument.Statement;
    assert.ok(statement && ['Allow', 'Deny'].includes(statement.Effect), `${file}: no Allow or Deny`);
    return;
  }
  const answer = asProxyResult(file, result);
  assert.ok(Number.isInteger(answer.statusCode) && answer.statusCode >= 200 && answer.statusCode < 600, file);
  assert.equal(typeof answer.body, 'string', `${file}: the body must be a string`);
  const type = headerOf(answer, 'content-type') ?? '';
  if (type.startsWith('application/json')) {
    const body = JSON.parse(answer.body) as { error?: unknown; message?: unknown };
    if (answer.statusCode >= 400) {
      assert.equal(typeof body.error, 'string', `${file}: an error names its code`);
      assert.equal(typeof body.message, 'string', `${file}: an error has a message`);
    }
  } else if (type.startsWith('text/html')) {
    assert.match(answer.body, /^<!doctype html>/i, file);
  } else if (answer.statusCode === 302) {
    assert.ok(headerOf(answer, 'location'), `${file}: a redirect names where`);
  } else {
    assert.fail(`${file}: unexpected Content-Type "${type}" with ${answer.statusCode}`);
  }
};

const expectJson = (result: LambdaResult, status: number): unknown => {
  const answer = asProxyResult('event', result);
  assert.equal(answer.statusCode, status, answer.body);
  return JSON.parse(answer.body);
};
const expectError = (result: LambdaResult, status: number, error: string) =>
  assert.equal((expectJson(result, status) as { error: string }).error, error);
const expectRedirect = (result: LambdaResult, prefix: string) => {
  const answer = asProxyResult('event', result);
  assert.equal(answer.statusCode, 302, answer.body);
  const location = headerOf(answer, 'location') ?? '';
  assert.ok(location.startsWith(prefix), `redirects to ${location}, not under ${prefix}`);
};
const expectKeys = (result: LambdaResult) => {
  const { keys } = expectJson(result, 200) as { keys: { kty: string; d?: string }[] };
  assert.ok(keys.length > 0);
  assert.ok(
    keys.every((key) => key.d === undefined),
    'a JWKS never holds a private part',
  );
};

const SAVED = EVENT_FILES.map(savedEvent);

test('every route in ROUTES, and the authorizer, has a saved event', () => {
  for (const route of ROUTES) {
    assert.ok(
      SAVED.some((saved) => saved.route === route),
      `no event in ${EVENTS_DIR}/ for ${route.method} ${route.path}`,
    );
  }
  assert.ok(
    SAVED.some((saved) => saved.function === 'authorizer'),
    `no authorizer event in ${EVENTS_DIR}/`,
  );
});

test('the saved events hold only placeholders: their key authenticates no one', async (t) => {
  for (const saved of SAVED) {
    await t.test(saved.file, async () => {
      const result = await invokeSaved(saved);
      assertWellFormed(saved, result);
      if (saved.function === 'authorizer') {
        assert.equal(asPolicy(saved.file, result).policyDocument.Statement[0]?.Effect, 'Deny');
      } else if (saved.route?.auth === 'apiKey') {
        expectError(result, 403, 'invalid_api_key');
      }
    });
  }
});

/** With a demo app's key, what each saved event answers; its codes and states are placeholders. */
const WITH_A_REAL_KEY: Record<string, (result: LambdaResult) => void> = {
  'authorizer.json': (result) => {
    const policy = asPolicy('authorizer.json', result);
    assert.equal(policy.policyDocument.Statement[0]?.Effect, 'Allow');
    assert.equal(policy.context?.appId, app.appId);
  },
  'myinfo-init.json': (result) => expectRedirect(result, `${stack.upstreams.mockpass}/myinfo/v3/authorise?`),
  'myinfobiz-init.json': (result) => expectRedirect(result, `${stack.upstreams.myinfobiz}/biz/v2/authorise?`),
  'cpfhub-oauth-init.json': (result) => expectRedirect(result, `${stack.upstreams.cpfhub}/oauth/authorize?`),
  'oidc-singpass-authrequri.json': (result) => {
    const { authReqUri } = expectJson(result, 200) as { authReqUri: string };
    assert.ok(authReqUri.startsWith(`${stack.upstreams.mockpass}/singpass/v2/authorize?`), authReqUri);
  },
  'sgverify-qr.json': (result) => {
    const qr = expectJson(result, 200) as { url: string; state: string; qrSvg: string };
    assert.ok(qr.url.startsWith(`${stack.upstreams.sgverify}/sgverify?`), qr.url);
    assert.match(qr.qrSvg, /<svg/);
  },
  'cpfhub-proxy.json': (result) => {
    const body = expectJson(result, 200) as { year: number; month: number; contributions: unknown[] };
    assert.deepEqual([body.year, body.month], [2025, 4]);
    assert.ok(body.contributions.length > 0);
  },
  'jwks.json': (result) => expectKeys(result),
  'singpass-jwks.json': (result) => expectKeys(result),
  'myinfo-token.json': (result) => expectError(result, 400, 'invalid_state'),
  'myinfobiz-token.json': (result) => expectError(result, 400, 'invalid_state'),
  'oidc-singpass-userinfo.json': (result) => expectError(result, 400, 'invalid_state'),
  'cpfhub-oauth-token.json': (result) => expectError(result, 400, 'invalid_state'),
  'sgverify-result.json': (result) => expectError(result, 404, 'invalid_state'),
  'cpfhub-user-proxy.json': (result) => expectError(result, 403, 'unknown_grant'),
  'cpfhub-oauth-grant.json': (result) => expectError(result, 403, 'unknown_grant'),
  'sgverify-callback.json': (result) =>
    assert.equal(asProxyResult('sgverify-callback.json', result).statusCode, 404),
};

test("with a demo app's key and id, every saved event reaches its handler and gets the real answer", async (t) => {
  const credentials = { apiKey: app.apiKey, appId: app.appId };
  for (const saved of SAVED) {
    await t.test(saved.file, async () => {
      const result = await invokeSaved(saved, credentials);
      assertWellFormed(saved, result);
      WITH_A_REAL_KEY[saved.file]?.(result);
    });
  }
  // The answers above are checked only for events that exist; renaming one must not skip its check.
  for (const file of Object.keys(WITH_A_REAL_KEY)) {
    assert.ok(EVENT_FILES.includes(file), `${EVENTS_DIR}/${file} is missing`);
  }
});

const INVOKE = ['--import', 'tsx', 'scripts/invoke.ts'];

test('the CLI prints the result as JSON and exits 0', async () => {
  const { stdout } = await run(process.execPath, [...INVOKE, 'jwks', 'events/jwks.json'], {
    env: process.env,
  });
  const result = JSON.parse(stdout) as APIGatewayProxyResult;
  assert.equal(result.statusCode, 200);
  assert.ok((JSON.parse(result.body) as { keys: unknown[] }).keys.length > 0);
});

test('the CLI refuses an unknown function, a missing event file and the wrong kind of event', async () => {
  const cases = [
    { args: ['no-such-function', 'events/jwks.json'], says: /unknown function "no-such-function"/ },
    { args: ['jwks', 'events/no-such-event.json'], says: /cannot read the event file/ },
    { args: ['authorizer', 'events/jwks.json'], says: /not an API Gateway REQUEST authorizer event/ },
    { args: ['jwks'], says: /give a function name and an event file/ },
  ];
  for (const { args, says } of cases) {
    await assert.rejects(run(process.execPath, [...INVOKE, ...args], { env: process.env }), (error) => {
      const failure = error as { code: number; stdout: string; stderr: string };
      assert.equal(failure.code, 2, args.join(' '));
      assert.match(failure.stderr, says);
      assert.match(failure.stderr, /^usage: npm run invoke/m);
      assert.equal(failure.stdout, '', 'nothing on stdout but a result');
      return true;
    });
  }
});

test("--local runs against a running stack from its demo file, with a demo app's key", async () => {
  // What `npm start` writes, in a directory of this test's own.
  const localDir = mkdtempSync(join(tmpdir(), 'secpass-invoke-'));
  try {
    writeDemoFile(localDir, stack);
    // Only what a developer's shell has: the handler environment must come from --local.
    const env = { PATH: process.env.PATH, SECPASS_LOCAL_DIR: localDir };
    const args = ['authorise-init', 'events/myinfo-init.json', '--local', '--api-key', app.apiKey];
    const { stdout } = await run(process.execPath, [...INVOKE, ...args], { env });
    const result = JSON.parse(stdout) as APIGatewayProxyResult;
    assert.equal(result.statusCode, 302, result.body);
    assert.ok(
      String(result.headers?.Location).startsWith(`${stack.upstreams.mockpass}/myinfo/v3/authorise?`),
    );
  } finally {
    rmSync(localDir, { recursive: true, force: true });
  }
});
