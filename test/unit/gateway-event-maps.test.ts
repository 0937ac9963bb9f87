import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { headerMapsOf, queryMapsOf } from '../../local/gateway.ts';
import { InvalidInput } from '../../shared/core/errors.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';

/**
 * API Gateway hands the Lambda JSON, so `__proto__` or `constructor` in a query or header name is
 * an own key like any other. The emulator's maps must hold them the same way, and handlers must
 * read only own keys, whichever of the two built the event.
 */
const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype'];

test('the emulator’s query maps hold prototype names as own keys, in order, with nothing inherited', () => {
  const query = queryMapsOf(
    new URLSearchParams(PROTOTYPE_NAMES.flatMap((name) => [`${name}=a`, `${name}=b`]).join('&')),
  );
  assert.ok(query);
  for (const name of PROTOTYPE_NAMES) {
    assert.ok(Object.hasOwn(query.single, name), name);
    assert.equal(query.single[name], 'b', `${name}: the last value, as API Gateway gives`);
    assert.deepEqual(query.multi[name], ['a', 'b'], name);
  }
  assert.deepEqual(Object.keys(query.multi), PROTOTYPE_NAMES);
  assert.equal(Object.getPrototypeOf(query.single), null);
  assert.equal(Object.getPrototypeOf(query.multi), null);
  // What the Lambda runtime would parse from API Gateway's JSON: the same keys.
  assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(query.multi)) as object), PROTOTYPE_NAMES);
  assert.equal(queryMapsOf(new URLSearchParams('')), null, 'no query string: null, as API Gateway sends');
});

test('the emulator’s header maps hold prototype names as own keys, repeated ones in order', () => {
  const raw = PROTOTYPE_NAMES.flatMap((name) => [name, `${name}-1`, name, `${name}-2`]);
  const headers = headerMapsOf(raw);
  for (const name of PROTOTYPE_NAMES) {
    assert.ok(Object.hasOwn(headers.single, name), name);
    assert.equal(headers.single[name], `${name}-2`);
    assert.deepEqual(headers.multi[name], [`${name}-1`, `${name}-2`]);
  }
  assert.deepEqual(Object.keys(headers.single), PROTOTYPE_NAMES);
});

const eventWithQuery = (json: string): APIGatewayProxyEvent =>
  ({ multiValueQueryStringParameters: JSON.parse(json) as unknown }) as APIGatewayProxyEvent;

const refusalCode = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof InvalidInput, String(error));
    return error.code;
  }
  assert.fail('no refusal');
};

test('a handler asking for a parameter reads only what was sent, never Object.prototype', () => {
  // Lambda's own JSON: no `constructor` key, so the parameter is missing, not "malformed".
  const parsed = eventWithQuery('{"code":["abc"]}');
  for (const name of PROTOTYPE_NAMES) {
    assert.equal(
      refusalCode(() => requiredQueryParam(parsed, name)),
      'missing_parameter',
      name,
    );
  }
  // Sent ones are ordinary parameters, from Lambda's JSON or from the emulator's maps.
  const sent = `{${PROTOTYPE_NAMES.map((name) => `"${name}":["v-${name}"]`).join(',')}}`;
  const fromEmulator = queryMapsOf(
    new URLSearchParams(PROTOTYPE_NAMES.map((name) => `${name}=v-${name}`).join('&')),
  );
  for (const event of [
    eventWithQuery(sent),
    { multiValueQueryStringParameters: fromEmulator?.multi ?? null },
  ]) {
    for (const name of PROTOTYPE_NAMES) {
      assert.equal(requiredQueryParam(event as APIGatewayProxyEvent, name), `v-${name}`, name);
    }
  }
});
