import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ROUTES } from '../../infra/routes.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { basic } from '../helpers/flows.ts';

/**
 * The local gateway runs every function in one process with requests interleaved, as Lambda never
 * does: each invocation must still log under its own function's name, route and request id.
 */
let stack: LocalStack;
const written: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);

before(async () => {
  stack = await startLocalStack({ demoAppCount: 1 });
});
after(async () => {
  process.stdout.write = originalWrite;
  await stack?.stop();
});

const functionOf = (route: string) =>
  ROUTES.find((candidate) => `${candidate.method} ${candidate.path}` === route)?.function;

test('interleaved requests to different functions: every line names its own function, route and request', async () => {
  const app = stack.apps[0];
  assert.ok(app);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stdout.write;
  try {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 2
          ? fetch(`${stack.gatewayUrl}/singpass/jwks`)
          : fetch(`${stack.gatewayUrl}/myinfo/init`, { headers: basic(app.apiKey), redirect: 'manual' }),
      ),
    );
  } finally {
    process.stdout.write = originalWrite;
  }
  const done = written
    .join('')
    .split('\n')
    .filter((line) => line.includes('"message":"request done"'))
    .map((line) => JSON.parse(line) as { function_name?: string; route?: string; apiRequestId?: string });
  assert.equal(done.length, 40, 'one "request done" line per request, each with its route');
  for (const entry of done) {
    assert.equal(
      entry.function_name,
      functionOf(entry.route ?? ''),
      `${entry.route} logged as ${entry.function_name}`,
    );
    assert.ok(entry.apiRequestId, 'the line keeps its request id');
  }
  assert.equal(new Set(done.map((entry) => entry.apiRequestId)).size, 40, 'no request id is another’s');
  const authorizerLines = written
    .join('')
    .split('\n')
    .filter((line) => line.includes('"authorizer decision"'));
  for (const line of authorizerLines) {
    assert.equal((JSON.parse(line) as { function_name?: string }).function_name, 'authorizer');
  }
});
