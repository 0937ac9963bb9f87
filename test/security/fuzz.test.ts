import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ROUTES } from '../../infra/routes.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { FINDING_KINDS } from '../../scripts/fuzz/findings.ts';
import { designedAnswer, leakIn, undesigned5xx } from '../../scripts/fuzz/oracle.ts';
import { formatReport } from '../../scripts/fuzz/report.ts';
import { type FuzzReport, runFuzz } from '../../scripts/fuzz/run.ts';
import { mockPassSettled } from '../../scripts/fuzz/settle.ts';
import { htmlResponse } from '../../shared/http/responses.ts';

/**
 * `npm run fuzz`'s fuzzer, seeded and smaller: hostile requests to every route, through the local
 * gateway and straight into the handlers, must never get an undesigned 5xx, show our insides,
 * hang, drop the connection, crash the process or serve a private route without its app's key.
 * A failure prints every finding with its request, answer and the command that replays it.
 */
const SEED = 0x5ec9a55;
const COUNT = 1_000;

let stack: LocalStack;
let report: FuzzReport;

before(async () => {
  stack = await startLocalStack();
  report = await runFuzz(stack, {
    seed: SEED,
    count: COUNT,
    concurrency: 8,
    timeoutMs: 15_000,
    // Well inside the suite's minute on two cores; a slow run fails rather than stalls the suite.
    budgetMs: 50_000,
  });
});
after(async () => {
  if (stack) await mockPassSettled(stack.upstreams.mockpass);
  await stack?.stop();
});

test(`a seeded run of ${COUNT} hostile requests finds nothing to fix`, () => {
  const summary = formatReport(report);
  assert.equal(report.completed, COUNT, `the run did not finish in time\n${summary}`);
  for (const kind of FINDING_KINDS) assert.equal(report.counts[kind], 0, `${kind}\n${summary}`);
});

test('every route is fuzzed, through the gateway and straight into its handler', () => {
  for (const route of ROUTES) {
    const sent = report.routes[`${route.method} ${route.path}`];
    assert.ok(
      sent && sent.gateway >= 25 && sent.handlers >= 25,
      `${route.method} ${route.path}: ${JSON.stringify(sent)}`,
    );
  }
});

test('the runs reach past the front door: handlers answer 2xx, redirects and upstream failures too', () => {
  const statuses = Object.keys(report.statuses).join(' ');
  for (const seen of [
    'gateway 200',
    'gateway 302',
    'handlers 200',
    'handlers 302',
    'gateway 400',
    'handlers 404',
  ]) {
    assert.ok(statuses.includes(seen), `no "${seen}" among ${statuses}`);
  }
  assert.ok(report.designed5xx > 0, 'no upstream failure was provoked');
});

// The oracle itself: what it lets through and what it reports.
const json = (status: number, body: unknown) => ({
  status,
  contentType: 'application/json',
  body: JSON.stringify(body),
});

test('a 5xx is designed only when it is a documented upstream failure, exactly as rendered', () => {
  for (const error of [
    designedAnswer('Singpass', 'unreachable'),
    designedAnswer('CPFHub', 'timeout'),
    designedAnswer('SG-Verify', 'bad_signature'),
  ]) {
    const body = { error: error.code, message: error.message };
    assert.equal(undesigned5xx(json(error.status, body)), undefined, error.code);
    assert.equal(undesigned5xx(json(error.status, { ...body, upstream_error: 'invalid_grant' })), undefined);
    assert.equal(
      undesigned5xx({
        status: error.status,
        contentType: 'text/html',
        body: htmlResponse(error.status, error.message).body,
      }),
      undefined,
    );
    assert.ok(undesigned5xx(json(error.status === 500 ? 502 : 500, body)), 'another status');
    assert.ok(undesigned5xx(json(error.status, { ...body, detail: 'x' })), 'another field');
    assert.ok(undesigned5xx(json(error.status, { ...body, upstream_error: 'Not A Code' })), 'free text');
  }
  const internal = { error: 'internal_error', message: 'We had a problem with our server. Try again later.' };
  assert.ok(undesigned5xx(json(500, internal)));
  assert.ok(undesigned5xx(json(502, internal)), "API Gateway's answer to a crashed Lambda");
  assert.ok(undesigned5xx({ status: 503, contentType: '', body: '' }));
  assert.equal(undesigned5xx(json(404, internal)), undefined, 'only 5xx are judged here');
});

test('stack traces, source paths and internal names in a body are leaks, unless the caller sent them', () => {
  const leaks = [
    'TypeError: Cannot read properties of undefined\n    at handler (/var/task/index.mjs:12:5)',
    '{"message":"x","stack":"Error: boom"}',
    'failed at Object.<anonymous> (file:///app/functions/jwks/handler.ts:3:1)',
    '/work/main/node_modules/zod/index.js',
    'shared/http/request.ts:42',
    '{"error":"ZodError"}',
    'ConditionalCheckFailedException',
    'connect ECONNREFUSED 127.0.0.1:8000',
    'code ERR_INVALID_URL',
    '[object Object]',
  ];
  for (const body of leaks) assert.ok(leakIn(body, ''), body);
  assert.equal(
    leakIn('{"error":"invalid_body","message":"The request body is invalid at: purpose."}', ''),
    undefined,
  );
  assert.equal(leakIn('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLVR5cGVFcnJvcg', ''), undefined);
  assert.equal(
    leakIn('you sent TypeError: x', 'TypeError: x'),
    undefined,
    'the caller’s own text quoted back',
  );
});
