import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type FaultProxy, startFaultProxy } from '../src/fault-proxy.ts';
import { closeServer, listenOnLoopback } from '../src/http.ts';

/** The proxy's own contract, against a tiny upstream that records what reached it. */
interface Reached {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

const reached: Reached[] = [];
const upstream = createServer((req, res) => {
  reached.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
  req.resume();
  req.on('end', () => {
    res.writeHead(201, { 'Content-Type': 'application/json', 'X-Upstream': 'yes' });
    res.end('{"ok":true}');
  });
});
let upstreamUrl: string;
let proxy: FaultProxy;
before(async () => {
  upstreamUrl = await listenOnLoopback(upstream, 0);
  proxy = await startFaultProxy({ target: upstreamUrl });
});
after(async () => {
  await proxy?.stop();
  await closeServer(upstream);
});
beforeEach(() => {
  proxy.clearFault();
  reached.length = 0;
});

const call = (path = '/api/thing', init: RequestInit = {}) =>
  fetch(`${proxy.url}${path}`, { signal: AbortSignal.timeout(2_000), ...init });

describe('fault proxy', () => {
  test('passes status, headers and body both ways, and the caller’s Host header on unchanged', async () => {
    const response = await call('/api/thing?x=1', { method: 'POST', body: 'hello' });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('x-upstream'), 'yes');
    assert.deepEqual(await response.json(), { ok: true });
    assert.equal(reached[0]?.url, '/api/thing?x=1');
    assert.equal(reached[0]?.headers.host, new URL(proxy.url).host);
  });

  test('preserveHost: false sends the upstream its own host', async () => {
    const rewriting = await startFaultProxy({ target: upstreamUrl, preserveHost: false });
    try {
      await (await fetch(`${rewriting.url}/x`)).text();
      assert.equal(reached[0]?.headers.host, new URL(upstreamUrl).host);
    } finally {
      await rewriting.stop();
    }
  });

  test('a fault meets only the requests in its scope, for `times` of them, and the counters say so', async () => {
    const before = proxy.stats();
    proxy.setFault({ kind: 'error-status', status: 503 }, { path: /\/token$/, method: 'POST', times: 2 });
    assert.equal((await call('/oauth/token')).status, 201, 'another method passes');
    assert.equal((await call('/oauth/authorize', { method: 'POST' })).status, 201, 'another path passes');
    assert.equal((await call('/oauth/token', { method: 'POST' })).status, 503);
    assert.equal((await call('/oauth/token', { method: 'POST' })).status, 503);
    assert.equal((await call('/oauth/token', { method: 'POST' })).status, 201, 'then it passes again');
    const now = proxy.stats();
    assert.equal(now.seen - before.seen, 5);
    assert.equal(now.faulted - before.faulted, 2);
    assert.equal(now.forwarded - before.forwarded, 3);
    assert.equal((now.byPath['/oauth/token'] ?? 0) - (before.byPath['/oauth/token'] ?? 0), 4);
  });

  test('reset: the caller’s connection is cut and nothing reaches the upstream', async () => {
    proxy.setFault({ kind: 'reset' });
    await assert.rejects(call(), TypeError);
    assert.equal(reached.length, 0);
  });

  test('drop-answer: the upstream acts, then the caller’s connection is cut', async () => {
    proxy.setFault({ kind: 'drop-answer' });
    await assert.rejects(call('/api/thing', { method: 'POST', body: 'x' }), TypeError);
    assert.equal(reached.length, 1);
  });

  test('hang: nothing comes back and nothing reaches the upstream; the caller’s timeout ends it', async () => {
    proxy.setFault({ kind: 'hang' });
    const started = Date.now();
    await assert.rejects(fetch(`${proxy.url}/x`, { signal: AbortSignal.timeout(200) }), {
      name: 'TimeoutError',
    });
    assert.ok(Date.now() - started < 1_000);
    assert.equal(reached.length, 0);
  });

  test('slow: the upstream is called at once, its answer passed on late', async () => {
    proxy.setFault({ kind: 'slow', ms: 300 });
    const started = Date.now();
    const response = await call();
    assert.ok(Date.now() - started >= 300);
    assert.equal(response.status, 201);
    assert.equal(reached.length, 1);
  });

  test('garbage: random bytes labelled JSON, an HTML page, or the real answer under the wrong label', async () => {
    proxy.setFault({ kind: 'garbage', shape: 'random-bytes' });
    const bytes = await call();
    assert.equal(bytes.headers.get('content-type'), 'application/json');
    const text = await bytes.text();
    assert.throws(() => JSON.parse(text));
    proxy.setFault({ kind: 'garbage', shape: 'not-json' });
    const page = await call();
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /^<html>/);
    assert.equal(reached.length, 0, 'made up without asking the upstream');
    proxy.setFault({ kind: 'garbage', shape: 'wrong-content-type' });
    const relabelled = await call();
    assert.match(relabelled.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(await relabelled.text(), '{"ok":true}');
    assert.equal(reached.length, 1);
  });

  test('forge: a fixed answer, or one made from the request', async () => {
    proxy.setFault({
      kind: 'forge',
      answer: { status: 200, headers: { 'Content-Type': 'text/plain' }, body: 'forged' },
    });
    assert.equal(await (await call()).text(), 'forged');
    proxy.setFault({
      kind: 'forge',
      answer: (request) => ({
        status: 202,
        body: `${request.method} ${request.url} ${request.body.toString()}`,
      }),
    });
    const made = await call('/echo?q=1', { method: 'POST', body: 'payload' });
    assert.equal(made.status, 202);
    assert.equal(await made.text(), 'POST /echo?q=1 payload');
    assert.equal(reached.length, 0);
  });

  test('a fault that makes no sense is refused when it is set', () => {
    assert.throws(() => proxy.setFault({ kind: 'error-status', status: 404 }), RangeError);
    assert.throws(() => proxy.setFault({ kind: 'slow', ms: -1 }), RangeError);
    assert.throws(() => proxy.setFault({ kind: 'reset' }, { times: 0 }), RangeError);
  });

  test('stop() ends hanging requests instead of waiting for them', async () => {
    const hanging = await startFaultProxy({ target: upstreamUrl });
    hanging.setFault({ kind: 'hang' });
    const pending = fetch(`${hanging.url}/x`).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await hanging.stop();
    assert.ok(Date.now() - started < 1_000);
    assert.ok((await pending) instanceof Error);
  });
});
