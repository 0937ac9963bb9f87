import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  createSecpassClient,
  SecpassApiError,
  type SecpassClient,
  SecpassWaitTimeoutError,
} from '../../packages/client/src/index.ts';
import { APP_ID, type FakeSecpass, ISSUER, JWKS_URL, startFakeSecpass } from './fake-secpass.ts';

let secpass: FakeSecpass;
let client: SecpassClient;
before(async () => {
  secpass = await startFakeSecpass();
  client = createSecpassClient({
    baseUrl: ISSUER,
    apiKey: 'the-api-key',
    appId: APP_ID,
    privateKey: secpass.appPrivateJwk,
    jwksUrl: JWKS_URL,
    fetch: secpass.fetch,
  });
});

const refusal = (status: number, error: string, extra: Record<string, string> = {}, headers = {}) =>
  Response.json({ error, message: 'A sentence.', ...extra }, { status, headers });

const withCode =
  (code: string, status: number, more: (error: SecpassApiError) => boolean = () => true) =>
  (error: unknown) =>
    error instanceof SecpassApiError && error.code === code && error.status === status && more(error);

describe('calls to Secpass', () => {
  test('sends the API key, asks for no redirect following, and hands back the init Location', async () => {
    let seen: { path: string; auth: string | null; redirect: RequestInit['redirect'] } | undefined;
    secpass.route((url, init) => {
      seen = {
        path: url.pathname,
        auth: new Headers(init?.headers).get('authorization'),
        redirect: init?.redirect,
      };
      return new Response(null, { status: 302, headers: { Location: 'https://myinfo.test/authorise?x=1' } });
    });
    assert.equal(await client.myinfo.authoriseUrl(), 'https://myinfo.test/authorise?x=1');
    assert.deepEqual(seen, { path: '/v1/myinfo/init', auth: 'Basic the-api-key', redirect: 'manual' });
  });

  test('turns an error body into SecpassApiError: code, message, upstream_error and Retry-After', async () => {
    secpass.route(() => refusal(500, 'upstream_error_status', { upstream_error: 'invalid_scope' }));
    await assert.rejects(
      client.singpass.userInfo('code', 'state'),
      withCode(
        'upstream_error_status',
        500,
        (e) => e.upstreamError === 'invalid_scope' && e.message === 'A sentence.',
      ),
    );
    secpass.route(() => refusal(429, 'upstream_rate_limited', {}, { 'Retry-After': '7' }));
    await assert.rejects(
      client.cpfhub.get('contributions', { year: 2025, month: 4 }),
      withCode('upstream_rate_limited', 429, (e) => e.retryAfter === 7 && e.is('upstream_rate_limited')),
    );
  });

  test('an answer without an error body is unexpected_response, status kept', async () => {
    secpass.route(() => new Response('<html>bad gateway</html>', { status: 502 }));
    await assert.rejects(client.myinfo.token('c', 's'), withCode('unexpected_response', 502));
    secpass.route(() => new Response('ok', { status: 200 }));
    await assert.rejects(client.myinfo.authoriseUrl(), withCode('unexpected_response', 200));
  });

  test("CPFHub calls: query apart from the path, the user's grant in X-Secpass-Grant, and no path tricks", async () => {
    const seen: string[] = [];
    secpass.route((url, init) => {
      seen.push(
        `${init?.method} ${url.pathname}${url.search} ${new Headers(init?.headers).get('x-secpass-grant')}`,
      );
      return init?.method === 'DELETE' ? Response.json({ status: 'revoked' }) : Response.json({ ok: true });
    });
    await client.cpfhub.get('/contributions', { year: 2025, month: 4 });
    await client.cpfhub.user('grant-1').post('contributions', { lines: [] });
    await client.cpfhub.revokeGrant('grant-1');
    assert.deepEqual(seen, [
      'GET /v1/cpfhub/contributions?year=2025&month=4 null',
      'POST /v1/cpfhub/user/contributions grant-1',
      'DELETE /v1/cpfhub/oauth/grant grant-1',
    ]);
    await assert.rejects(client.cpfhub.get('../myinfo/init'), TypeError);
    await assert.rejects(client.cpfhub.get('contributions?year=2025'), TypeError);
  });
});

describe('sgverify.waitForResult', () => {
  /** Answers 202 `pendingCount` times, then the token; records when each poll came. */
  const scriptResults = async (pendingCount: number, first?: Response) => {
    const token = await secpass.sealData({ name: { value: 'TAN HENG HUAT' } });
    const polls: number[] = [];
    secpass.route(() => {
      polls.push(Date.now());
      if (first && polls.length === 1) return first;
      return polls.length <= pendingCount
        ? Response.json({ status: 'pending' }, { status: 202 })
        : new Response(token, { headers: { 'Content-Type': 'application/jose' } });
    });
    return polls;
  };

  test('polls while pending, waiting longer each time, and opens the result', async () => {
    const polls = await scriptResults(3);
    const result = await client.sgverify.waitForResult('state', {
      initialDelayMs: 20,
      factor: 2,
      maxDelayMs: 200,
    });
    assert.deepEqual(result.payload, { name: { value: 'TAN HENG HUAT' } });
    assert.equal(polls.length, 4);
    const gaps = polls.slice(1).map((at, i) => at - (polls[i] ?? at));
    assert.ok(gaps[0] !== undefined && gaps[0] >= 18, `first wait ${gaps[0]}`);
    assert.ok(gaps[2] !== undefined && gaps[2] >= 75, `waits grow: ${gaps.join(', ')}`);
  });

  test('waits as long as Retry-After asks when throttled', async () => {
    const polls = await scriptResults(1, refusal(429, 'throttled', {}, { 'Retry-After': '1' }));
    await client.sgverify.waitForResult('state', { initialDelayMs: 10 });
    assert.ok((polls[1] ?? 0) - (polls[0] ?? 0) >= 990);
  });

  test('gives up at its timeout, stops when aborted, and passes on a refusal such as state_expired', async () => {
    await scriptResults(Number.POSITIVE_INFINITY);
    await assert.rejects(
      client.sgverify.waitForResult('state', { timeoutMs: 80, initialDelayMs: 10 }),
      SecpassWaitTimeoutError,
    );
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('kiosk closed')), 50);
    await assert.rejects(
      client.sgverify.waitForResult('state', { signal: controller.signal, initialDelayMs: 10 }),
      /kiosk closed/,
    );
    secpass.route(() => refusal(404, 'state_expired'));
    await assert.rejects(client.sgverify.waitForResult('state'), withCode('state_expired', 404));
  });
});
