import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ROUTES } from '../../infra/routes.ts';
import { wholeApi } from '../../shared/http/authorize-request.ts';

// API Gateway caches one answer per key for every route: an Allow won on one route must cover all.
test('the Allow policy covers every route and method of the stage, and nothing beyond it', () => {
  const arn = (stage: string, method: string, path: string) =>
    `arn:aws:execute-api:ap-southeast-1:123456789012:abcdef1234/${stage}/${method}${path}`;
  const [first] = ROUTES;
  assert.ok(first);
  const resource = wholeApi(arn('v1', first.method, first.path));
  assert.equal(resource, 'arn:aws:execute-api:ap-southeast-1:123456789012:abcdef1234/v1/*/*');
  const pattern = new RegExp(`^${resource.replaceAll('*', '[^]*')}$`);
  for (const route of ROUTES) assert.match(arn('v1', route.method, route.path), pattern);
  assert.doesNotMatch(arn('v2', 'GET', '/myinfo/init'), pattern);
  assert.doesNotMatch(arn('v1', 'GET', '/myinfo/init').replace('abcdef1234', 'otherapi99'), pattern);
});
