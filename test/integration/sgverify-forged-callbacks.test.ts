import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import { SGVERIFY_PERSONAS } from '@secpass/simulators/sgverify';
import { openSecpassToken } from '../../local/demo-app/open-token.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { resetConfig } from '../../shared/adapters/env.ts';
import { UPSTREAM_FAILURE_METRIC } from '../../shared/log/metrics.ts';
import { FAILED_CALLBACK_LIMIT } from '../../shared/providers/sgverify/callback-throttle.ts';
import { demoApp } from '../helpers/assertions.ts';
import { basic, postJson, secpassOf } from '../helpers/flows.ts';
import { type RecordingProxy, startRecordingProxy } from '../helpers/recording-proxy.ts';

/**
 * The callback is public and its state is printed on the QR code, so anyone who sees the code can
 * call it with made-up codes. Such calls must not use up a dynamic code, must not look like an
 * SG-Verify outage, and must not make Secpass call SG-Verify without limit.
 */
let stack: LocalStack;
let apiBaseUrl: string;
/** Every token request Secpass sent to SG-Verify (the gateway runs the handlers in this process). */
const tokenRequests: string[] = [];
/** While set, the phone's deliveries to our callback are noted here and not sent. */
let heldDeliveries: string[] | undefined;
const realFetch = globalThis.fetch;

before(async () => {
  stack = await startLocalStack();
  apiBaseUrl = process.env.SGVERIFY_API_BASE_URL ?? '';
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const target = String(input instanceof Request ? input.url : input);
    if (target.endsWith('/token') && target.includes('/sgverify/v2/')) tokenRequests.push(target);
    if (heldDeliveries && target.includes('/sgverify/callback')) {
      heldDeliveries.push(target);
      return Promise.resolve(new Response('held', { status: 200 }));
    }
    return realFetch(input, init);
  }) as typeof fetch;
});
afterEach(() => {
  tokenRequests.length = 0;
  heldDeliveries = undefined;
});
after(async () => {
  globalThis.fetch = realFetch;
  await stack?.stop();
});

const app = (n: number) => demoApp(stack, n);

const newQr = async (qrType: 'static' | 'dynamic'): Promise<{ url: string; state: string }> => {
  const response = await postJson(stack, app(0).apiKey, '/sgverify/qr', { qrType });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as { url: string; state: string };
};

const MADE_UP_CODE = 'made-up-code-0123456789abcdef';

const forgedCallback = (state: string, code = MADE_UP_CODE) =>
  fetch(`${stack.gatewayUrl}/sgverify/callback?${new URLSearchParams({ code, state })}`);

const persona = (i: number) => {
  const found = SGVERIFY_PERSONAS[i];
  if (!found) throw new Error(`no persona ${i}`);
  return found;
};

/** The phone scans and consents; returns the status our callback answered it. */
const scan = async (url: string, i: number): Promise<number> => {
  const response = await fetch(`${stack.upstreams.sgverifyPhone}/scan`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url, uinfin: persona(i).uinfin }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { callbackStatus: number }).callbackStatus;
};

const result = (state: string) =>
  fetch(`${stack.gatewayUrl}/sgverify/result?${new URLSearchParams({ state })}`, {
    headers: basic(app(0).apiKey),
  });

const collectedUinfin = async (state: string): Promise<string | undefined> => {
  const response = await result(state);
  assert.equal(response.status, 200);
  const { payload } = await openSecpassToken(await response.text(), app(0), secpassOf(stack));
  return (JSON.parse(new TextDecoder().decode(payload)) as { uinfin?: { value?: string } }).uinfin?.value;
};

/** Runs `work` and returns what it did plus the upstream-failure metrics it published. */
const withPublishedMetrics = async <T>(work: () => Promise<T>): Promise<{ done: T; failures: unknown[] }> => {
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  let done: T;
  try {
    done = await work();
  } finally {
    process.stdout.write = write;
  }
  const failures = printed
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"') && line.includes(UPSTREAM_FAILURE_METRIC));
  return { done, failures };
};

const assertPage = async (response: Response, status: number) => {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  const body = await response.text();
  assert.ok(!body.includes(MADE_UP_CODE), 'the code is not echoed');
  return body;
};

describe('SG-Verify callback with made-up codes', () => {
  test('a made-up code for a dynamic QR does not use it up: the visitor’s real scan still reaches the kiosk', async () => {
    const qr = await newQr('dynamic');
    const forged = await forgedCallback(qr.state);
    assert.ok(forged.status >= 400 && forged.status < 500, `forged callback answered ${forged.status}`);
    await forged.body?.cancel();
    assert.equal(await scan(qr.url, 0), 200, 'the real callback succeeds');
    assert.equal(await collectedUinfin(qr.state), persona(0).uinfin);
    assert.equal((await result(qr.state)).status, 202);
  });

  test('a code SG-Verify rejects → 400 page, not counted as an upstream failure, nothing stored', async () => {
    const qr = await newQr('static');
    const { done: forged, failures } = await withPublishedMetrics(() => forgedCallback(qr.state));
    await assertPage(forged, 400);
    assert.equal(tokenRequests.length, 1, 'SG-Verify was asked once');
    assert.deepEqual(failures, [], 'no UpstreamFailure metric');
    assert.equal((await result(qr.state)).status, 202);
  });

  test(`after ${FAILED_CALLBACK_LIMIT} rejected codes for one QR, callbacks get 429 with Retry-After and SG-Verify is not asked`, async () => {
    const qr = await newQr('static');
    for (let i = 0; i < FAILED_CALLBACK_LIMIT; i += 1) await assertPage(await forgedCallback(qr.state), 400);
    assert.equal(tokenRequests.length, FAILED_CALLBACK_LIMIT);

    const throttled = await forgedCallback(qr.state);
    await assertPage(throttled, 429);
    const retryAfter = Number(throttled.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${retryAfter}`);
    assert.equal(tokenRequests.length, FAILED_CALLBACK_LIMIT, 'no further token request');

    // Until the window passes this QR is refused for everyone; a refused call stores nothing.
    assert.equal(await scan(qr.url, 1), 429);
    assert.equal(tokenRequests.length, FAILED_CALLBACK_LIMIT);
    assert.equal((await result(qr.state)).status, 202);

    // Another QR of the same app is not affected.
    const other = await newQr('static');
    assert.equal(await scan(other.url, 2), 200);
    assert.equal(await collectedUinfin(other.state), persona(2).uinfin);
  });

  test('a burst of concurrent made-up codes cannot slip past the limit', async () => {
    const qr = await newQr('static');
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const response = await forgedCallback(qr.state, `${MADE_UP_CODE}-${i}`);
        await response.body?.cancel();
        return response.status;
      }),
    );
    assert.ok(tokenRequests.length <= FAILED_CALLBACK_LIMIT, `${tokenRequests.length} token requests`);
    assert.equal(statuses.filter((s) => s === 429).length, 20 - tokenRequests.length, statuses.join(','));
    assert.equal((await result(qr.state)).status, 202);
  });

  test('ten concurrent deliveries of the real code for a dynamic QR: one succeeds, one result', async () => {
    const qr = await newQr('dynamic');
    heldDeliveries = [];
    assert.equal(await scan(qr.url, 1), 200);
    const [delivered = ''] = heldDeliveries;
    heldDeliveries = undefined;
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => {
        const response = await fetch(delivered);
        await response.body?.cancel();
        return response.status;
      }),
    );
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
    // The losers are refused by SG-Verify (a used code) or, past the limit, not sent at all.
    assert.ok(
      statuses.every((s) => s === 200 || s === 400 || s === 429),
      statuses.join(','),
    );
    assert.equal(await collectedUinfin(qr.state), persona(1).uinfin);
    assert.equal((await result(qr.state)).status, 202);
  });

  test('a dynamic QR that has delivered its result refuses further callbacks without asking SG-Verify', async () => {
    const qr = await newQr('dynamic');
    assert.equal(await scan(qr.url, 0), 200);
    tokenRequests.length = 0;
    await assertPage(await forgedCallback(qr.state), 400);
    assert.equal(tokenRequests.length, 0);
    assert.equal(await collectedUinfin(qr.state), persona(0).uinfin);
  });
});

describe('SG-Verify failures that are not a rejected code', () => {
  let proxy: RecordingProxy | undefined;
  const useApiBase = (url: string) => {
    process.env.SGVERIFY_API_BASE_URL = url;
    resetConfig();
  };
  afterEach(async () => {
    useApiBase(apiBaseUrl);
    await proxy?.stop();
    proxy = undefined;
  });

  test('SG-Verify unreachable → 502, counted as an upstream failure', async () => {
    const qr = await newQr('static');
    useApiBase('http://127.0.0.1:9/sgverify/v2');
    const { done, failures } = await withPublishedMetrics(() => forgedCallback(qr.state));
    await assertPage(done, 502);
    assert.equal(failures.length, 1);
  });

  test('SG-Verify refusing our signature (401) → 502, counted: that is ours to fix, not the visitor’s', async () => {
    const qr = await newQr('static');
    // The proxy forwards with the simulator's own Host, so the URL we signed is not the one it sees.
    proxy = await startRecordingProxy(stack.upstreams.sgverify);
    useApiBase(`${proxy.url}/sgverify/v2`);
    const { done, failures } = await withPublishedMetrics(() => forgedCallback(qr.state));
    assert.equal(proxy.calls[0]?.status, 401);
    await assertPage(done, 502);
    assert.equal(failures.length, 1);
  });
});
