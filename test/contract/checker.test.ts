import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, test } from 'node:test';
import { interceptFetch } from './fetch-interceptor.ts';
import { joseShapeProblems } from './jose-shape.ts';
import { loadOpenApiDocument } from './openapi-document.ts';
import { createResponseChecker, type ObservedResponse } from './response-checker.ts';
import { matchRoute } from './route-matcher.ts';

const document = loadOpenApiDocument();
const check = createResponseChecker(document);
const GATEWAY = 'http://127.0.0.1:3000';

const answer = (
  method: string,
  path: string,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): ObservedResponse => ({ method, url: `${GATEWAY}${path}`, status, headers: new Headers(headers), body });

const json = (method: string, path: string, status: number, body: unknown) =>
  answer(method, path, status, JSON.stringify(body), { 'Content-Type': 'application/json' });

const refusal = (error: string) => ({ error, message: 'A sentence.' });

// Shaped like a real data token: a JWE header, an empty encrypted key under ECDH-ES, then three parts.
const jweHeader = Buffer.from(
  JSON.stringify({ alg: 'ECDH-ES', enc: 'A256GCM', cty: 'JWT', epk: { kty: 'EC' } }),
).toString('base64url');
const DATA_TOKEN = `${jweHeader}..aXY.Y2lwaGVydGV4dA.dGFn`;

const problemsOf = (observed: ObservedResponse) => check(observed)?.problems ?? [];

describe('the contract checker', () => {
  test('passes documented answers: JSON, a redirect, a Secpass token, an HTML page', () => {
    assert.equal(check(json('GET', '/myinfo/token?code=c&state=s', 400, refusal('state_used'))), undefined);
    assert.equal(
      check(
        answer('GET', '/myinfo/init', 302, '', {
          Location: 'https://myinfo.example/authorise?state=s',
          'Cache-Control': 'no-store',
        }),
      ),
      undefined,
    );
    assert.equal(
      check(
        answer('GET', '/sgverify/result?state=s', 200, DATA_TOKEN, { 'Content-Type': 'application/jose' }),
      ),
      undefined,
    );
    assert.equal(
      check(
        answer('GET', '/sgverify/callback?code=c&state=s', 404, '<!doctype html><p>Unknown.</p>', {
          'Content-Type': 'text/html; charset=utf-8',
        }),
      ),
      undefined,
    );
    assert.equal(check(json('POST', '/sgverify/qr', 413, refusal('body_too_large'))), undefined);
  });

  test('fails a status the route does not document', () => {
    const violation = check(json('GET', '/myinfo/init', 418, refusal('teapot')));
    assert.equal(violation?.route, 'GET /myinfo/init');
    assert.match(violation?.problems.join() ?? '', /status 418 is not documented/);
  });

  test('fails a content type the status does not declare', () => {
    const problems = problemsOf(
      answer('GET', '/myinfo/token?code=c&state=s', 200, DATA_TOKEN, { 'Content-Type': 'application/json' }),
    );
    assert.match(problems.join(), /content type application\/json is not declared/);
  });

  test('fails a body missing a required field', () => {
    const problems = problemsOf(
      json('POST', '/sgverify/qr', 200, { url: 'https://qr.example/x', state: 's' }),
    );
    assert.ok(
      problems.some((problem) => /must have required property 'expiresAt'/.test(problem)),
      problems.join(),
    );
  });

  test('fails an error code the status does not list, and a field our error body does not have', () => {
    assert.match(
      problemsOf(json('GET', '/myinfo/token', 400, refusal('upstream_timeout'))).join(),
      /\/error must be equal to one of the allowed values/,
    );
    assert.match(
      problemsOf(json('GET', '/myinfo/token', 400, { ...refusal('state_used'), stack: 'at x' })).join(),
      /must NOT have additional properties/,
    );
  });

  test('fails a redirect without its Location, and a body where none is declared', () => {
    assert.match(
      problemsOf(answer('GET', '/myinfobiz/init', 302, '')).join(),
      /the Location header is missing/,
    );
    assert.match(
      problemsOf(answer('GET', '/myinfobiz/init', 302, 'moved', { Location: 'https://x.example/' })).join(),
      /a body came/,
    );
  });

  test('fails an application/jose body that is no compact JWE or JWS', () => {
    const problems = problemsOf(
      answer('GET', '/cpfhub/oauth/token?code=c&state=s', 200, 'not.a.token.at-all', {
        'Content-Type': 'application/jose',
      }),
    );
    assert.ok(problems.length > 0);
    assert.deepEqual(joseShapeProblems(DATA_TOKEN), []);
    assert.match(joseShapeProblems('a.b').join(), /3 parts and a JWE 5/);
  });

  test('holds a path or method no route declares to the gateway’s not_found', () => {
    assert.equal(check(json('GET', '/nowhere', 404, refusal('not_found'))), undefined);
    assert.equal(check(json('POST', '/myinfo/init', 404, refusal('not_found'))), undefined);
    assert.match(problemsOf(json('GET', '/nowhere', 200, {})).join(), /status 200 is not documented/);
  });
});

describe('route matching', () => {
  const routeOf = (method: string, path: string) => {
    const match = matchRoute(document, method, path);
    return match.kind === 'operation' ? `${match.method} ${match.pathTemplate}` : match.kind;
  };

  test('fixed paths first, then the longer greedy prefix, which takes slashes', () => {
    assert.equal(routeOf('DELETE', '/cpfhub/oauth/grant'), 'delete /cpfhub/oauth/grant');
    assert.equal(routeOf('GET', '/cpfhub/user/contributions'), 'get /cpfhub/user/{proxy}');
    assert.equal(routeOf('GET', '/cpfhub/a/b/c'), 'get /cpfhub/{proxy}');
    // The fixed path has no GET, so the gateway's ANY route takes it.
    assert.equal(routeOf('GET', '/cpfhub/oauth/grant'), 'get /cpfhub/{proxy}');
  });

  test('a path that cannot be percent-decoded is refused before routing', () => {
    assert.equal(routeOf('GET', '/cpfhub/%zz'), 'unrouted');
  });
});

describe('the fetch interceptor', () => {
  test('hands a copy of each answer from an observed origin over, and leaves the caller its body', async () => {
    const server = createServer((_request, response) => {
      response.writeHead(202, { 'Content-Type': 'application/json' });
      response.end('{"status":"pending"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const observed: ObservedResponse[] = [];
    const interception = interceptFetch(
      (url) => url.startsWith(origin),
      (response) => observed.push(response),
    );
    try {
      const response = await fetch(`${origin}/sgverify/result?state=s`, { method: 'get' });
      assert.deepEqual(await response.json(), { status: 'pending' });
      await interception.settled();
      assert.equal(observed.length, 1);
      assert.equal(observed[0]?.method, 'GET');
      assert.equal(observed[0]?.status, 202);
      assert.equal(observed[0]?.body, '{"status":"pending"}');
      assert.equal(check(observed[0] as ObservedResponse), undefined);
    } finally {
      interception.restore();
      server.close();
    }
  });
});
