import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import { type Gateway, startGateway } from '../../local/gateway.ts';

/**
 * The emulator must answer what API Gateway would: names that happen to be Object.prototype's
 * are ordinary query and header names there, and a path it cannot percent-decode is its own 400.
 * Only the gateway runs here (no DynamoDB, no secrets): every request below is answered before
 * a handler needs either, so a 500 can only be the emulator's own failure.
 */
let gateway: Gateway;

before(async () => {
  gateway = await startGateway(0);
});
after(async () => {
  await gateway?.stop();
});

const PROTOTYPE_NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype'];

test('query names such as constructor, toString and __proto__ reach the handler as ordinary parameters', async () => {
  for (const name of PROTOTYPE_NAMES) {
    // The public callback runs its handler at once; without a code it answers 400, as on AWS.
    const response = await fetch(`${gateway.url}/sgverify/callback?${name}=1&${name}=2`);
    assert.equal(response.status, 400, `?${name}=: ${await response.text()}`);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  }
});

test('header names such as constructor and __proto__ reach the handler as ordinary headers', async () => {
  for (const name of PROTOTYPE_NAMES) {
    const response = await fetch(`${gateway.url}/sgverify/callback`, { headers: [[name, 'x']] });
    assert.equal(response.status, 400, `${name}: ${await response.text()}`);
  }
});

test('on a private route those names still get the gateway’s 403 for a missing key, not a 500', async () => {
  for (const name of PROTOTYPE_NAMES) {
    const response = await fetch(`${gateway.url}/myinfo/token?${name}=1`, { headers: [[name, 'y']] });
    const body = await response.text();
    assert.equal(response.status, 403, `${name}: ${body}`);
    assert.equal((JSON.parse(body) as { error: string }).error, 'invalid_api_key');
  }
});

// A key of the right shape would make the authorizer read DynamoDB, which is not running here: an
// answer other than the 400 would show the authorizer (or the Lambda) was invoked.
const WELL_FORMED_KEY = `Basic spk_${'A'.repeat(43)}`;

test('a proxy path that is not valid percent-encoding is the gateway’s own 400, before the authorizer', async () => {
  const paths = [
    '/cpfhub/%E0%A4%A',
    '/cpfhub/%',
    '/cpfhub/contributions%zz',
    '/cpfhub/user/%C0%AF',
    '/cpfhub/user/a/%ED%A0%80',
  ];
  for (const path of paths) {
    for (const headers of [{}, { Authorization: WELL_FORMED_KEY }]) {
      const response = await fetch(`${gateway.url}${path}`, { headers });
      const body = await response.text();
      assert.equal(response.status, 400, `${path}: ${body}`);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(Object.keys(JSON.parse(body) as object).sort(), ['error', 'message']);
      assert.equal((JSON.parse(body) as { error: string }).error, 'bad_request');
    }
  }
});

/** A raw GET with exactly these headers: fetch would not let a Host header through as sent. */
const rawGet = (path: string, headers: string[]) =>
  new Promise<{ status: number; type: string }>((resolve, reject) => {
    const { hostname, port } = new URL(gateway.url);
    request({ host: hostname, port, path, headers }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, type: String(response.headers['content-type']) });
    })
      .on('error', reject)
      .end();
  });

test('a Host header spelt oddly is the client’s business: the gateway routes by the path alone', async () => {
  for (const host of ['a b', '', '[::1', 'x:y:z', 'é']) {
    // API Gateway answers for its own domain whatever Host says; the callback's page means it ran.
    const { status, type } = await rawGet('/sgverify/callback', ['Host', host]);
    assert.equal(status, 400, JSON.stringify(host));
    assert.match(type, /^text\/html/, JSON.stringify(host));
  }
});
