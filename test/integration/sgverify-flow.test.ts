import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SGVERIFY_PERSONAS } from '@secpass/simulators/sgverify';
import { openSecpassToken } from '../../local/demo-app/open-token.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { demoApp } from '../helpers/assertions.ts';
import { basic, postJson, secpassOf } from '../helpers/flows.ts';

let stack: LocalStack;
before(async () => {
  stack = await startLocalStack();
});
after(async () => {
  await stack?.stop();
});

const app = (n: number) => demoApp(stack, n);

interface Qr {
  url: string;
  state: string;
  expiresAt: string;
  qrSvg: string;
}

const newQr = async (n: number, body: Record<string, unknown>): Promise<Qr> => {
  const response = await postJson(stack, app(n).apiKey, '/sgverify/qr', body);
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as Qr;
};

const scan = (url: string, uinfin: string) =>
  fetch(`${stack.upstreams.sgverifyPhone}/scan`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url, uinfin }),
  });

const result = (n: number, state: string) =>
  fetch(`${stack.gatewayUrl}/sgverify/result?${new URLSearchParams({ state })}`, {
    headers: basic(app(n).apiKey),
  });

const openResult = async (n: number, response: Response) => {
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/jose');
  const { payload } = await openSecpassToken(await response.text(), app(n), secpassOf(stack));
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, { value?: string }>;
};

const persona = (i: number) => {
  const found = SGVERIFY_PERSONAS[i];
  if (!found) throw new Error(`no persona ${i}`);
  return found;
};

describe('SG-Verify kiosk flow', () => {
  test('a dynamic QR: signed URL and SVG, one scan, the kiosk collects the result once', async () => {
    const qr = await newQr(0, { qrType: 'dynamic', kioskId: 'kiosk-1', validForSeconds: 120 });
    const url = new URL(qr.url);
    assert.deepEqual(
      [...url.searchParams.keys()],
      [
        'callback',
        'client_id',
        'nonce',
        'qr_type',
        'signature_method',
        'state',
        'timestamp_expiry',
        'timestamp_start',
        'v',
        'signature',
      ],
    );
    assert.equal(url.searchParams.get('callback'), `${stack.gatewayUrl}/sgverify/callback`);
    assert.equal(url.searchParams.get('state'), qr.state);
    assert.match(qr.qrSvg, /^<svg/);
    assert.equal((await result(0, qr.state)).status, 202);

    const scanned = await scan(qr.url, persona(0).uinfin);
    assert.equal(scanned.status, 200, await scanned.clone().text());
    const person = await openResult(0, await result(0, qr.state));
    assert.equal(person.uinfin?.value, persona(0).uinfin);
    assert.equal((await result(0, qr.state)).status, 202, 'handed out once');

    const again = await scan(qr.url, persona(1).uinfin);
    assert.ok(again.status >= 400, 'a dynamic code is single-use');
  });

  test('a static QR scanned by three visitors yields three results, collected in arrival order, each once', async () => {
    const qr = await newQr(0, { qrType: 'static', kioskId: 'lobby' });
    assert.equal(new URL(qr.url).searchParams.has('nonce'), false);
    for (const i of [0, 1, 2]) assert.equal((await scan(qr.url, persona(i).uinfin)).status, 200);
    const collected = [];
    for (let i = 0; i < 3; i += 1)
      collected.push((await openResult(0, await result(0, qr.state))).uinfin?.value);
    assert.deepEqual(collected, [persona(0).uinfin, persona(1).uinfin, persona(2).uinfin]);
    assert.equal((await result(0, qr.state)).status, 202);
  });

  test('10 concurrent pickups of one result → exactly one 200', async () => {
    const qr = await newQr(0, { qrType: 'dynamic' });
    assert.equal((await scan(qr.url, persona(1).uinfin)).status, 200);
    const statuses = await Promise.all(
      Array.from({ length: 10 }, async () => (await result(0, qr.state)).status),
    );
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 202).length, 9);
  });

  test('another app cannot collect the result, and the owner still can', async () => {
    const qr = await newQr(0, { qrType: 'dynamic' });
    assert.equal((await scan(qr.url, persona(2).uinfin)).status, 200);
    assert.equal((await result(1, qr.state)).status, 404);
    await openResult(0, await result(0, qr.state));
  });

  test('a tampered or expired QR is refused by the phone, and nothing arrives', async () => {
    const qr = await newQr(0, { qrType: 'dynamic' });
    const tampered = qr.url.replace(/state=[^&]+/, 'state=somebody-elses-state');
    assert.ok((await scan(tampered, persona(0).uinfin)).status >= 400);
    const short = await newQr(0, { qrType: 'dynamic', validForSeconds: 30 });
    const expired = new URL(short.url);
    // Re-dating the code breaks its signature too: the phone must refuse it either way.
    expired.searchParams.set('timestamp_expiry', String(Date.now() - 1000));
    assert.ok((await scan(expired.toString(), persona(0).uinfin)).status >= 400);
    assert.equal((await result(0, qr.state)).status, 202);
  });

  test('a replayed callback (the code the phone delivered, sent again) stores nothing more', async () => {
    const qr = await newQr(0, { qrType: 'static' });
    // The phone calls our callback itself; note the URL it used on the way past.
    const delivered: string[] = [];
    const realFetch = globalThis.fetch;
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      const target = String(input instanceof Request ? input.url : input);
      if (target.includes('/sgverify/callback')) delivered.push(target);
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      assert.equal((await scan(qr.url, persona(0).uinfin)).status, 200);
    } finally {
      globalThis.fetch = realFetch;
    }
    assert.equal(delivered.length, 1);
    await openResult(0, await result(0, qr.state));
    const replay = await fetch(delivered[0] ?? '');
    assert.ok(replay.status >= 400, `replay answered ${replay.status}`);
    assert.match(replay.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal((await result(0, qr.state)).status, 202, 'nothing stored for the replay');
  });

  test('unknown state at the callback and at pickup → 404; bad QR requests → 400', async () => {
    const unknown = await fetch(`${stack.gatewayUrl}/sgverify/callback?code=abc&state=unknownstate`);
    assert.equal(unknown.status, 404);
    assert.equal((await result(0, 'unknownstate')).status, 404);
    assert.equal((await postJson(stack, app(0).apiKey, '/sgverify/qr', { qrType: 'sometimes' })).status, 400);
    assert.equal(
      (await postJson(stack, app(0).apiKey, '/sgverify/qr', { qrType: 'dynamic', validForSeconds: 3600 }))
        .status,
      400,
    );
    assert.equal(
      (await postJson(stack, `spk_${'C'.repeat(43)}`, '/sgverify/qr', { qrType: 'static' })).status,
      403,
    );
  });
});
