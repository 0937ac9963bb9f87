import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { newAppKeyPair } from '../../local/dev-keys.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { onboardApp } from '../../shared/adapters/admin/onboarding.ts';
import { resetConfig } from '../../shared/adapters/env.ts';
import { METRICS_NAMESPACE, UPSTREAM_FAILURE_METRIC } from '../../shared/log/metrics.ts';
import { demoApp, expectError } from '../helpers/assertions.ts';
import { basic, cpfhubGet, useCpfhubApiBase } from '../helpers/flows.ts';
import { type RecordingProxy, startRecordingProxy } from '../helpers/recording-proxy.ts';

let stack: LocalStack;
let recorder: RecordingProxy;
let simulatorApiBase: string;
before(async () => {
  stack = await startLocalStack();
  simulatorApiBase = process.env.CPFHUB_API_BASE_URL ?? '';
  recorder = await startRecordingProxy(stack.upstreams.cpfhub);
  useCpfhubApiBase(`${recorder.url}${new URL(simulatorApiBase).pathname}`);
});
afterEach(() => {
  recorder.calls.length = 0;
  stack.cpfhub.setRateLimit(undefined);
  stack.cpfhub.setResponseDelay(0);
  stack.cpfhub.setFault(undefined);
});
after(async () => {
  await recorder?.stop();
  await stack?.stop();
});

const app = (n: number) => demoApp(stack, n);
const MONTH = '/cpfhub/contributions?year=2025&month=4';

const postContributions = (body: string, contentType = 'application/json', apiKey = app(0).apiKey) =>
  fetch(`${stack.gatewayUrl}/cpfhub/contributions`, {
    method: 'POST',
    headers: { ...basic(apiKey), 'Content-Type': contentType },
    body,
  });

describe('server-to-server proxy', () => {
  test('GET contributions: CPFHub answers with our API key and the app gets its JSON as it came', async () => {
    const response = await cpfhubGet(stack, app(0).apiKey, MONTH);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = await response.text();
    const [call] = recorder.calls;
    assert.ok(call);
    assert.equal(call.method, 'GET');
    assert.equal(call.path, `${new URL(simulatorApiBase).pathname}/contributions?year=2025&month=4`);
    assert.equal(body, call.answer, 'passed through byte for byte');
    const data = JSON.parse(body) as { year: number; month: number; contributions: unknown[] };
    assert.equal(data.year, 2025);
    assert.equal(data.month, 4);
    assert.ok(data.contributions.length >= 3, 'every employee of the employer');
    assert.match(String(call.headers.authorization), /^Bearer \S+$/);
    assert.ok(!String(call.headers.authorization).includes(app(0).apiKey), 'the app key never goes upstream');
  });

  test('GET statements passes its query through', async () => {
    const response = await cpfhubGet(stack, app(1).apiKey, '/cpfhub/statements?year=2024');
    assert.equal(response.status, 200);
    assert.equal(recorder.calls[0]?.path.endsWith('/statements?year=2024'), true);
  });

  test('POST contributions: the JSON body passes through, the app’s own and hop-by-hop headers do not', async () => {
    const submission = JSON.stringify({
      year: 2025,
      month: 5,
      contributions: [{ employeeId: 'E001', ordinaryWages: 5200, additionalWages: 0 }],
    });
    const response = await fetch(`${stack.gatewayUrl}/cpfhub/contributions`, {
      method: 'POST',
      headers: {
        ...basic(app(0).apiKey),
        'Content-Type': 'application/json',
        'Proxy-Authorization': 'Basic c2VjcmV0',
        Cookie: 'session=abc',
        TE: 'trailers',
        'X-Forwarded-For': '203.0.113.9',
        'X-App-Internal': 'do-not-forward',
      },
      body: submission,
    });
    assert.equal(response.status, 201);
    const [call] = recorder.calls;
    assert.ok(call);
    assert.equal(call.body, submission);
    assert.equal(call.headers['content-type'], 'application/json');
    for (const name of ['proxy-authorization', 'cookie', 'te', 'x-forwarded-for', 'x-app-internal']) {
      assert.equal(call.headers[name], undefined, name);
    }
  });

  test('bodies that are not JSON, malformed or too large are refused before CPFHub', async () => {
    await expectError(
      await postContributions('year=2025', 'application/x-www-form-urlencoded'),
      415,
      'unsupported_media_type',
    );
    await expectError(await postContributions('{"year": 2025,'), 400, 'invalid_body');
    await expectError(
      await postContributions(JSON.stringify({ pad: 'x'.repeat(300 * 1024) })),
      413,
      'body_too_large',
    );
    assert.equal(recorder.calls.length, 0);
  });

  test('CPFHub refusing the input is a 400 that does not quote CPFHub', async () => {
    const body = await expectError(
      await postContributions(
        JSON.stringify({ year: 2025, month: 5, contributions: [{ employeeId: 'E999' }] }),
      ),
      400,
      'upstream_rejected',
    );
    assert.equal(recorder.calls[0]?.status, 400);
    assert.ok(!JSON.stringify(body).includes('E999'));
    assert.match(
      String(body.message),
      /it rejected contributions\[0\]\.employeeId\.$/,
      'the field, never its value',
    );
  });

  test('upstream_rejected names the fields CPFHub rejected, from the calls own inputs only', async () => {
    const badYear = await expectError(
      await cpfhubGet(stack, app(0).apiKey, '/cpfhub/contributions?year=25&month=4'),
      400,
      'upstream_rejected',
    );
    assert.equal(badYear.message, 'CPFHub refused the request as invalid; it rejected year.');
    const badAmount = await expectError(
      await postContributions(
        JSON.stringify({
          year: 2025,
          month: 4,
          contributions: [{ employeeId: 'E001', ordinaryWages: -1, additionalWages: 0 }],
        }),
      ),
      400,
      'upstream_rejected',
    );
    assert.equal(
      badAmount.message,
      'CPFHub refused the request as invalid; it rejected contributions[0].ordinaryWages.',
    );
    // CPFHub's sentence names an input of the app's own making: nothing of it is passed on.
    const unknownParameter = await expectError(
      await cpfhubGet(stack, app(0).apiKey, '/cpfhub/contributions?year=2025&month=4&S1234567D=x'),
      400,
      'upstream_rejected',
    );
    assert.equal(
      unknownParameter.message,
      'CPFHub refused the request as invalid; check its parameters and body.',
    );
  });
});

describe('what never reaches CPFHub', () => {
  test('routes outside the allow-list → 404', async () => {
    const key = app(0).apiKey;
    await expectError(await cpfhubGet(stack, key, '/cpfhub/employees'), 404, 'route_not_allowed');
    await expectError(await cpfhubGet(stack, key, '/cpfhub/contributions/2025'), 404, 'route_not_allowed');
    await expectError(
      await cpfhubGet(stack, key, '/cpfhub/statements%2F..%2Fadmin'),
      404,
      'route_not_allowed',
    );
    await expectError(
      await fetch(`${stack.gatewayUrl}${MONTH}`, { method: 'DELETE', headers: basic(key) }),
      404,
      'route_not_allowed',
    );
    assert.equal(recorder.calls.length, 0);
  });

  test('a scope the app’s record does not grant → 403; an app without CPFHub → 403', async () => {
    const { publicJwk } = await newAppKeyPair();
    const statementsOnly = await onboardApp({
      name: 'Statements only',
      publicJwk,
      providers: { cpfhub: { scopes: ['cpf_statement:read'] } },
    });
    await expectError(await cpfhubGet(stack, statementsOnly.apiKey, MONTH), 403, 'scope_not_granted');
    await expectError(
      await postContributions('{}', 'application/json', statementsOnly.apiKey),
      403,
      'scope_not_granted',
    );
    assert.equal((await cpfhubGet(stack, statementsOnly.apiKey, '/cpfhub/statements?year=2024')).status, 200);
    const noCpfhub = await onboardApp({ name: 'No CPFHub', publicJwk, providers: {} });
    await expectError(await cpfhubGet(stack, noCpfhub.apiKey, MONTH), 403, 'provider_not_enabled');
    assert.equal(recorder.calls.length, 1, 'only the allowed statements call went out');
  });

  test('no or a wrong API key → 403 from the gateway', async () => {
    await expectError(await fetch(`${stack.gatewayUrl}${MONTH}`), 403, 'invalid_api_key');
    await expectError(await cpfhubGet(stack, `spk_${'A'.repeat(43)}`, MONTH), 403, 'invalid_api_key');
    assert.equal(recorder.calls.length, 0);
  });
});

describe('CPFHub failures', () => {
  test('429 passes through with its Retry-After', async () => {
    stack.cpfhub.setRateLimit({ requests: 1, windowSeconds: 60 });
    assert.equal((await cpfhubGet(stack, app(0).apiKey, MONTH)).status, 200);
    const limited = await cpfhubGet(stack, app(0).apiKey, MONTH);
    const retryAfter = limited.headers.get('retry-after');
    await expectError(limited, 429, 'upstream_rate_limited');
    assert.match(retryAfter ?? '', /^\d+$/);
    assert.equal(retryAfter, recorder.calls[1]?.answerHeaders['retry-after'], 'as CPFHub said');
  });

  test('a CPFHub that does not answer in time → 504', async () => {
    process.env.UPSTREAM_TIMEOUT_MS = '300';
    resetConfig();
    stack.cpfhub.setResponseDelay(1_500);
    try {
      await expectError(await cpfhubGet(stack, app(0).apiKey, MONTH), 504, 'upstream_timeout');
    } finally {
      delete process.env.UPSTREAM_TIMEOUT_MS;
      resetConfig();
    }
  });

  test('a 5xx becomes our 502 and CPFHub’s internals stay out of the answer', async () => {
    stack.cpfhub.setFault({
      status: 500,
      body: 'java.lang.NullPointerException at hub.internal.Db(secret-host:5432)',
    });
    const body = await expectError(
      await cpfhubGet(stack, app(0).apiKey, MONTH),
      502,
      'upstream_error_status',
    );
    assert.ok(!JSON.stringify(body).includes('secret-host'));
  });

  test('each upstream failure is counted in the metric the UpstreamFailures alarm watches', async () => {
    stack.cpfhub.setFault({ status: 503, body: 'down' });
    const printed: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      await expectError(await cpfhubGet(stack, app(0).apiKey, MONTH), 502, 'upstream_error_status');
    } finally {
      process.stdout.write = write;
    }
    const metric = printed
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map(
        (line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } },
      );
    assert.equal(metric.length, 1);
    assert.deepEqual(metric[0]?._aws.CloudWatchMetrics, [
      {
        Namespace: METRICS_NAMESPACE,
        Dimensions: [['service']],
        Metrics: [{ Name: UPSTREAM_FAILURE_METRIC, Unit: 'Count' }],
      },
    ]);
    assert.equal(metric[0]?.[UPSTREAM_FAILURE_METRIC], 1);
    assert.equal(metric[0]?.provider, 'CPFHub');
  });

  test('a CPFHub that cannot be reached → 502', async () => {
    useCpfhubApiBase('http://127.0.0.1:9/v1');
    try {
      await expectError(await cpfhubGet(stack, app(0).apiKey, MONTH), 502, 'upstream_unreachable');
    } finally {
      useCpfhubApiBase(`${recorder.url}${new URL(simulatorApiBase).pathname}`);
    }
  });
});
