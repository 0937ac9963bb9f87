import assert from 'node:assert/strict';
import type { LocalStack } from '../../local/stack.ts';

/** Asserts the documented error shape: JSON `{ error, message }` with this status and code, nothing else. */
export const expectError = async (response: Response, status: number, code: string) => {
  assert.equal(response.status, status);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['error', 'message']);
  assert.equal(body.error, code);
  return body;
};

/** An upstream failure where the upstream refused in OAuth's terms: our code, plus its `error` as `upstream_error`. */
export const expectUpstreamRefusal = async (
  response: Response,
  status: number,
  code: string,
  upstreamError: string,
) => {
  assert.equal(response.status, status);
  const body = (await response.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['error', 'message', 'upstream_error']);
  assert.equal(body.error, code);
  assert.equal(body.upstream_error, upstreamError);
  return body;
};

/** The n-th demo app of a running stack. */
export const demoApp = (stack: LocalStack, n: number) => {
  const found = stack.apps[n];
  if (!found) throw new Error(`no demo app ${n}`);
  return found;
};
