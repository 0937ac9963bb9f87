import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { ROUTES } from '../../infra/routes.ts';
import { DocumentSchemas } from './document-schemas.ts';
import {
  isReference,
  loadOpenApiDocument,
  OPENAPI_PATH,
  OPERATION_METHODS,
  type Operation,
  type OperationMethod,
  valueAtRef,
} from './openapi-document.ts';

/** docs/openapi.yaml itself: valid OpenAPI 3.1, complete against the route table, every $ref resolving. */
const document = loadOpenApiDocument();

/** API Gateway's `ANY` is every method but TRACE (which OpenAPI has and API Gateway does not). */
const methodsOf = (method: string): OperationMethod[] =>
  method === 'ANY'
    ? OPERATION_METHODS.filter((name) => name !== 'trace')
    : [method.toLowerCase() as OperationMethod];

/** `{proxy+}` is API Gateway's spelling; OpenAPI names the parameter `{proxy}` (see `x-greedy`). */
const openApiPath = (path: string) => path.replaceAll('+}', '}');

const refsIn = (value: unknown, at = ''): { ref: string; at: string }[] => {
  if (Array.isArray(value)) return value.flatMap((item, index) => refsIn(item, `${at}/${index}`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === '$ref' && typeof item === 'string' ? [{ ref: item, at }] : refsIn(item, `${at}/${key}`),
  );
};

describe('docs/openapi.yaml', () => {
  test('is valid OpenAPI 3.1 by the official schema', async () => {
    const validator = new Validator();
    const result = await validator.validate(OPENAPI_PATH);
    assert.equal(validator.version, '3.1');
    assert.deepEqual(result.errors, undefined, JSON.stringify(result.errors, null, 2));
    assert.equal(result.valid, true);
  });

  test('documents every route of infra/routes.ts with its method, and its authentication', () => {
    for (const route of ROUTES) {
      const item = document.paths[openApiPath(route.path)];
      assert.ok(item, `${route.path} is not documented`);
      for (const method of methodsOf(route.method)) {
        const operation: Operation | undefined = item[method];
        assert.ok(operation, `${method.toUpperCase()} ${route.path} is not documented`);
        const security: Operation['security'] = operation.security;
        // Public routes opt out of the document's default API-key security; private ones keep it.
        assert.equal(security?.length === 0, route.auth === 'public', `${route.path}: security`);
      }
    }
  });

  test('documents no path the route table lacks (but those only the local emulator serves)', () => {
    const routed = new Set(ROUTES.map((route) => openApiPath(route.path)));
    for (const [path, item] of Object.entries(document.paths)) {
      assert.ok(routed.has(path) || item['x-emulator-only'] === true, `${path} has no route`);
    }
  });

  test('every $ref resolves', () => {
    const refs = refsIn(document);
    assert.ok(refs.length > 50);
    for (const { ref, at } of refs) assert.notEqual(valueAtRef(document, ref), undefined, `${ref} at ${at}`);
  });

  test('every schema compiles under JSON Schema 2020-12 in strict mode', () => {
    const schemas = new DocumentSchemas(document);
    const components = (document.components?.schemas ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(components)) {
      assert.doesNotThrow(() => schemas.check(`/components/schemas/${name}`, null), name);
    }
  });

  test('every refusal has a body, and every JSON one is the error format or narrows it', () => {
    const ERROR = '#/components/schemas/Error';
    const resolved = (response: unknown) =>
      isReference(response) ? valueAtRef(document, response.$ref) : response;
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      OPERATION_METHODS.flatMap((method) =>
        item[method] ? [[`${method} ${path}`, item[method].responses]] : [],
      ),
    );
    for (const [name, responses] of [
      ...operations,
      ['unrouted', document['x-unrouted-responses'] ?? {}],
    ] as const) {
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[45]/.test(status)) continue;
        const content =
          (resolved(response) as { content?: Record<string, { schema?: unknown }> }).content ?? {};
        assert.ok(Object.keys(content).length > 0, `${name} ${status}: no body`);
        const schema = content['application/json']?.schema as { $ref?: string; allOf?: { $ref?: string }[] };
        if (schema)
          assert.ok(schema.$ref === ERROR || schema.allOf?.[0]?.$ref === ERROR, `${name} ${status}`);
      }
    }
  });
});

describe('the payload schemas', () => {
  const schemas = new DocumentSchemas(document);
  const person = {
    uinfin: { value: 'S9812381D', source: '1', classification: 'C', lastupdated: '2024-01-01' },
    nationality: { code: 'SG', desc: 'SINGAPORE CITIZEN', source: '1', classification: 'C', lastupdated: '' },
    vehicles: [{ vehicleno: { value: 'SBA123A' } }],
  };

  test('take the upstreams’ payloads as the README shows them', () => {
    assert.deepEqual(schemas.check('/components/schemas/MyinfoV3Person', person).problems, []);
    const userinfo = {
      sub: 'b6cb9308-733b-42b3-ad38-9b5afc890206',
      iss: 'https://x',
      aud: 'c',
      iat: 1,
      person_info: person,
    };
    assert.deepEqual(schemas.check('/components/schemas/MyinfoV5Userinfo', userinfo).problems, []);
    assert.deepEqual(
      schemas.check('/components/schemas/MyinfoBusinessPayload', { entity: { 'basic-profile': {} }, person })
        .problems,
      [],
    );
    assert.deepEqual(schemas.check('/components/schemas/SgVerifyPerson', person).problems, []);
  });

  test('hold our own claims tight', () => {
    const grant = {
      iss: 'https://secpass.example/v1',
      aud: 'app_1',
      iat: 1,
      grant_id: 'g'.repeat(43),
      scope: 'a b',
    };
    assert.equal(schemas.check('/components/schemas/CpfhubGrantTokenPayload', grant).valid, true);
    assert.equal(
      schemas.check('/components/schemas/CpfhubGrantTokenPayload', { ...grant, extra: 1 }).valid,
      false,
    );
    const claims = {
      sub: 'u=b6cb9308-733b-42b3-ad38-9b5afc890206',
      iss: 'https://x',
      aud: 'a',
      iat: 1,
      exp: 2,
    };
    assert.equal(schemas.check('/components/schemas/LoginTokenClaims', claims).valid, true);
    assert.equal(
      schemas.check('/components/schemas/LoginTokenClaims', { ...claims, sub: 'S9812381D' }).valid,
      false,
    );
  });
});
