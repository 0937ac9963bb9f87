import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ROUTES } from '../../infra/routes.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';

/** The local gateway serves the API reference: the OpenAPI document for tools, a page for people. */
let stack: LocalStack;
before(async () => {
  stack = await startLocalStack({ demoAppCount: 0 });
});
after(async () => {
  await stack?.stop();
});

/** `{proxy+}` in the route table is `{proxy}` in OpenAPI. */
const documentedPath = (path: string) => path.replace('+}', '}');

test('GET /openapi.json: the OpenAPI 3.1 document, with every route of the route table', async () => {
  const response = await fetch(`${stack.gatewayUrl}/openapi.json`);
  assert.equal(response.status, 200);
  const document = (await response.json()) as {
    openapi: string;
    paths: Record<string, Record<string, unknown>>;
  };
  assert.match(document.openapi, /^3\.1\./);
  for (const route of ROUTES) {
    const item = document.paths[documentedPath(route.path)];
    assert.ok(item, `${route.path} is documented`);
  }
});

test('GET /docs: a page naming every route', async () => {
  const response = await fetch(`${stack.gatewayUrl}/docs`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  const page = await response.text();
  for (const route of ROUTES) assert.ok(page.includes(documentedPath(route.path)), route.path);
});
