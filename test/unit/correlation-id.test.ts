import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { lambdaContext } from '../../local/lambda-runtime.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { jsonResponse } from '../../shared/http/responses.ts';

/**
 * An app's `X-Correlation-Id` goes into every log line of its request, so only an id that cannot
 * carry a person's NRIC, one of our API keys or free text is kept; any other is replaced by the
 * request id.
 */
const REQUEST_ID = '7d6a2f0e-0b1c-4c43-9a57-5f2b1d0c9e11';
const written: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);

before(() => {
  // Log lines are written as strings; the test runner's own reports to its parent are bytes.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk === 'string') written.push(chunk);
    return originalWrite(chunk, ...rest);
  }) as typeof process.stdout.write;
});
after(() => {
  process.stdout.write = originalWrite;
});

const handler = routedHandler('jwks', {
  'GET /.well-known/jwks.json': async () => jsonResponse(200, { ok: true }),
  'GET /singpass/jwks': async () => jsonResponse(200, { ok: true }),
});

const eventWith = (headers: Record<string, string>): APIGatewayProxyEvent =>
  ({
    resource: '/.well-known/jwks.json',
    path: '/.well-known/jwks.json',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: REQUEST_ID },
    body: null,
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEvent;

/** The correlation id the request's "request done" line carries, and everything logged meanwhile. */
const loggedFor = async (headers: Record<string, string>) => {
  written.length = 0;
  const result = await handler(eventWith(headers), lambdaContext('jwks') as Context);
  assert.equal(result.statusCode, 200);
  const lines = written
    .join('')
    .split('\n')
    .filter((line) => line.includes('"message":"request done"'));
  assert.equal(lines.length, 1, 'one request, one closing line');
  const entry = JSON.parse(lines[0] ?? '') as { correlationId?: string; apiRequestId?: string };
  assert.equal(entry.apiRequestId, REQUEST_ID);
  return { correlationId: entry.correlationId, everything: written.join('') };
};

const API_KEY = `spk_${'Zq3_-x'.repeat(7)}A`;

test('a plain token or UUID up to 64 characters is logged as the app sent it, in any header case', async () => {
  const kept = [
    'order-4711_retry-2',
    '0b8e6f4c-2d1a-4f3e-9c7b-1a2b3c4d5e6f',
    '0B8E6F4C-2D1A-4F3E-9C7B-1A2B3C4D5E6F',
    'a'.repeat(64),
    'x',
    'batch_2026-01-31',
  ];
  for (const id of kept) {
    for (const name of ['X-Correlation-Id', 'x-correlation-id']) {
      assert.equal((await loggedFor({ [name]: id })).correlationId, id, `${name}: ${id}`);
    }
  }
});

test('an id that could carry an NRIC or FIN, an API key or free text is replaced by the request id', async () => {
  const replaced = [
    // NRIC and FIN shapes, anywhere in the id and in either case.
    'S9812381D',
    's9812381d',
    'order-T1234567J-2',
    'xF1234567Nx',
    'G1234567X',
    'm1234567k',
    // Our API keys, whole or in part.
    API_KEY,
    'spk_abc',
    'SPK_abc',
    `ref-${API_KEY}`,
    // Dots were allowed once; nothing else than letters, digits, `-` and `_`.
    'order-4711.retry_2',
    '../../etc/passwd',
    'a b',
    'café',
    'line\nbreak',
    'a'.repeat(65),
    '',
  ];
  for (const id of replaced) {
    const { correlationId, everything } = await loggedFor({ 'X-Correlation-Id': id });
    assert.equal(correlationId, REQUEST_ID, JSON.stringify(id));
    if (id.length > 3) assert.equal(everything.includes(id), false, `${JSON.stringify(id)} reached the logs`);
  }
});

test('no X-Correlation-Id: the request id', async () => {
  assert.equal((await loggedFor({})).correlationId, REQUEST_ID);
});
