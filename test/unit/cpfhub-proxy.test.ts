import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { CpfhubScope } from '../../shared/apps/cpfhub-scopes.ts';
import {
  AccessRefused,
  InvalidInput,
  NotFound,
  UpstreamFailed,
  type UpstreamFailure,
  UpstreamRateLimited,
  UpstreamRejected,
} from '../../shared/core/errors.ts';
import { forwardRequestOf } from '../../shared/http/request.ts';
import { type CpfhubCall, cpfhubCall as callFromRequest } from '../../shared/providers/cpfhub/proxy.ts';

/** As the handler reads the call: the event through the HTTP layer, then the domain's rules. */
const cpfhubCall = (event: APIGatewayProxyEvent): CpfhubCall => callFromRequest(forwardRequestOf(event));

import {
  ALL_SCOPES,
  aesKey,
  type CpfhubWorld,
  cpfhubSecret,
  cpfhubWorld,
  SECRET_IDS,
} from '../support/cpfhub-world.ts';
import { FAKE_CPFHUB, type Fault } from '../support/fake-cpfhub.ts';

/**
 * CPFHub's proxy on memory ports and a fake CPFHub: the allow-list and the app's request, the
 * server-to-server call with our API key, and a user's call with their grant's access token,
 * refreshed once whoever asks (a lost refresh answer making the grant `grant_lost`), revoked on
 * request, and every CPFHub answer turned into the app's.
 */

const CALLBACK = 'https://app.example/cpfhub/callback';
const TOKEN = /\/oauth\/token$/;
const REVOKE = /\/oauth\/revoke$/;
const API = /^\/v1\//;

const refused =
  <E extends new (...args: never[]) => Error & { code: string }>(type: E, code: string, message?: RegExp) =>
  (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  };

const upstream = (failure: UpstreamFailure, upstreamStatus?: number) => (error: unknown) => {
  assert.ok(error instanceof UpstreamFailed, `expected UpstreamFailed, got ${String(error)}`);
  assert.equal(error.code, `upstream_${failure}`);
  assert.equal(error.provider, 'CPFHub');
  assert.equal(error.upstreamStatus, upstreamStatus);
  return true;
};

const event = (
  method: string,
  proxy: string,
  {
    query = {},
    headers = {},
    body = null,
    base64 = false,
  }: {
    query?: Record<string, string[]>;
    headers?: Record<string, string>;
    body?: string | null;
    base64?: boolean;
  } = {},
) =>
  ({
    httpMethod: method,
    pathParameters: { proxy },
    multiValueQueryStringParameters: query,
    headers,
    body: base64 && body !== null ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  }) as unknown as APIGatewayProxyEvent;

const MONTH = event('GET', 'contributions', { query: { year: ['2025'], month: ['4'] } });
const STATEMENTS = event('GET', 'statements', { query: { year: ['2024'] } });

describe('what the app asks to forward', () => {
  test('only allow-listed calls, each with the scope it needs, matched exactly', () => {
    assert.deepEqual(cpfhubCall(MONTH), {
      allowed: { method: 'GET', path: 'contributions', scope: 'cpf_contribution:read' },
      query: 'year=2025&month=4',
    });
    assert.equal(cpfhubCall(STATEMENTS).allowed.scope, 'cpf_statement:read');
    const post = cpfhubCall(
      event('POST', 'contributions', {
        headers: { 'content-type': 'application/json' },
        body: '{"year":2025}',
      }),
    );
    assert.equal(post.allowed.scope, 'cpf_contribution:write');
    assert.equal(post.body, '{"year":2025}');
    const notForwarded = refused(NotFound, 'route_not_allowed', /does not forward this CPFHub call/);
    for (const [method, path] of [
      ['GET', 'employees'],
      ['DELETE', 'contributions'],
      ['POST', 'statements'],
      ['GET', 'contributions/'],
      ['GET', 'statements/../employees'],
      ['GET', '%2e%2e/oauth/token'],
      ['GET', ''],
    ] as const) {
      assert.throws(() => cpfhubCall(event(method, path)), notForwarded, `${method} ${path}`);
    }
    assert.throws(
      () => cpfhubCall({ httpMethod: 'GET', pathParameters: null } as unknown as APIGatewayProxyEvent),
      notForwarded,
    );
  });

  test('the query is re-encoded from what the gateway parsed, repeats kept; a long one is refused', () => {
    const call = cpfhubCall(event('GET', 'statements', { query: { year: ['2024'], 'a b': ['x&y=z', 'é'] } }));
    assert.equal(call.query, 'year=2024&a+b=x%26y%3Dz&a+b=%C3%A9');
    assert.equal(cpfhubCall({ ...STATEMENTS, multiValueQueryStringParameters: null }).query, '');
    assert.throws(
      () => cpfhubCall(event('GET', 'statements', { query: { q: ['x'.repeat(2_100)] } })),
      refused(InvalidInput, 'invalid_parameter', /too long/),
    );
  });

  test('a body must be JSON, declared so, and at most 256 KB; a base64 body is decoded', () => {
    const post = (headers: Record<string, string>, body: string | null, base64 = false) =>
      cpfhubCall(event('POST', 'contributions', { headers, body, base64 }));
    assert.equal(post({ 'Content-Type': 'application/json; charset=utf-8' }, '[1]').body, '[1]');
    assert.equal(post({ 'CONTENT-TYPE': 'Application/JSON' }, '{"a":1}', true).body, '{"a":1}');
    const mediaType = refused(InvalidInput, 'unsupported_media_type', /must be application\/json/);
    assert.throws(() => post({ 'content-type': 'text/plain' }, '{}'), mediaType);
    assert.throws(() => post({}, '{}'), mediaType);
    assert.throws(() => cpfhubCall({ ...event('POST', 'contributions'), headers: null } as never), mediaType);
    assert.throws(
      () => post({ 'content-type': 'application/json' }, `"${'x'.repeat(256 * 1024)}"`),
      refused(InvalidInput, 'body_too_large', /too large/),
    );
    const notJson = refused(InvalidInput, 'invalid_body', /must be JSON/);
    assert.throws(() => post({ 'content-type': 'application/json' }, '{'), notJson);
    assert.throws(() => post({ 'content-type': 'application/json' }, null), notJson);
  });
});

const withApp = (world: CpfhubWorld, scopes: CpfhubScope[]) =>
  world.newApp({ scopes, callbackUrl: CALLBACK });

describe('server to server, with our API key', () => {
  test('the call goes to CPFHub with our key and nothing of the app’s; its JSON comes back as it came', async () => {
    const world = await cpfhubWorld();
    const app = await withApp(world, [...ALL_SCOPES]);
    const answer = await world.provider.forwardWithApiKey(app.caller, cpfhubCall(MONTH));
    const [call] = world.cpfhub.calls;
    assert.ok(call);
    assert.equal(call.url.toString(), `${FAKE_CPFHUB.apiBaseUrl}/contributions?year=2025&month=4`);
    assert.equal(call.method, 'GET');
    assert.deepEqual([...call.headers.keys()].sort(), ['accept', 'authorization']);
    assert.equal(call.headers.get('authorization'), `Bearer ${FAKE_CPFHUB.apiKey}`);
    assert.equal(answer.statusCode, 200);
    assert.deepEqual(JSON.parse(answer.body), {
      path: '/v1/contributions',
      query: '?year=2025&month=4',
      user: null,
    });

    const submission = '{ "year": 2025, "month": 5, "contributions": [] }';
    const posted = await world.provider.forwardWithApiKey(
      app.caller,
      cpfhubCall(
        event('POST', 'contributions', { headers: { 'Content-Type': 'application/json' }, body: submission }),
      ),
    );
    assert.equal(posted.statusCode, 201, 'CPFHub’s own success status');
    const sent = world.cpfhub.calls[1];
    assert.equal(sent?.body, submission, 'the body as the app sent it');
    assert.equal(sent?.headers.get('content-type'), 'application/json');
    const bare = await world.provider.forwardWithApiKey(app.caller, cpfhubCall(event('GET', 'statements')));
    assert.equal(bare.statusCode, 200);
    assert.equal(world.cpfhub.calls[2]?.url.toString(), `${FAKE_CPFHUB.apiBaseUrl}/statements`);
  });

  test('a scope the app lacks, CPFHub not enabled, or a disabled app: refused before CPFHub is called', async () => {
    const world = await cpfhubWorld();
    const statementsOnly = await withApp(world, ['cpf_statement:read']);
    await assert.rejects(
      world.provider.forwardWithApiKey(statementsOnly.caller, cpfhubCall(MONTH)),
      refused(AccessRefused, 'scope_not_granted', /needs the CPFHub scope cpf_contribution:read/),
    );
    const none = await world.newApp(undefined);
    await assert.rejects(
      world.provider.forwardWithApiKey(none.caller, cpfhubCall(STATEMENTS)),
      refused(AccessRefused, 'provider_not_enabled', /CPFHub is not enabled for this app/),
    );
    world.apps.put({ ...statementsOnly.record, status: 'disabled' });
    await assert.rejects(
      world.provider.forwardWithApiKey(statementsOnly.caller, cpfhubCall(STATEMENTS)),
      refused(AccessRefused, 'invalid_api_key'),
    );
    assert.equal(world.cpfhub.calls.length, 0);
  });

  describe('CPFHub’s answer, for the app', () => {
    const answered = async (fault: Fault) => {
      const world = await cpfhubWorld();
      const app = await withApp(world, [...ALL_SCOPES]);
      world.cpfhub.fault(API, fault);
      return world.provider.forwardWithApiKey(app.caller, cpfhubCall(MONTH));
    };
    const json = { 'Content-Type': 'application/json' };

    test('a rate limit passes on with its Retry-After, in seconds or as a date; anything else is dropped', async () => {
      for (const [given, kept] of [
        ['30', '30'],
        ['Wed, 21 Oct 2026 07:28:00 GMT', 'Wed, 21 Oct 2026 07:28:00 GMT'],
        ['soon', undefined],
        ['12345678', undefined],
        [undefined, undefined],
      ] as const) {
        await assert.rejects(
          answered({
            kind: 'answer',
            status: 429,
            body: '{}',
            headers: given === undefined ? {} : { 'Retry-After': given },
          }),
          (error: unknown) => {
            assert.ok(error instanceof UpstreamRateLimited);
            assert.equal(error.code, 'upstream_rate_limited');
            assert.equal(error.retryAfter, kept);
            assert.equal(error.message, 'CPFHub is rate limiting requests; retry later.');
            return true;
          },
        );
      }
    });

    test('an invalid input names the fields CPFHub rejected, never what the app sent in them', async () => {
      const rejected = (message: string) =>
        refused(UpstreamRejected, 'upstream_rejected', new RegExp(message));
      await assert.rejects(
        answered({
          kind: 'answer',
          status: 400,
          headers: json,
          body: JSON.stringify({
            error: 'invalid_request',
            error_description: 'contributions[3].ordinaryWages must not be negative (got -5 for S9812381D)',
          }),
        }),
        (error: unknown) => {
          rejected('it rejected contributions\\[3\\]\\.ordinaryWages\\.$')(error);
          assert.ok(!(error as Error).message.includes('S9812381D'));
          return true;
        },
      );
      await assert.rejects(
        answered({
          kind: 'answer',
          status: 422,
          headers: json,
          body: JSON.stringify({
            message: 'bad',
            errors: [{ field: 'month' }, { field: 'year' }, 'x', null],
          }),
        }),
        rejected('it rejected month, year\\.$'),
      );
      await assert.rejects(
        answered({ kind: 'answer', status: 400, body: 'not json' }),
        rejected('check its parameters and body'),
      );
    });

    test('404 is upstream_not_found; any other status is CPFHub’s error, its body kept out', async () => {
      await assert.rejects(
        answered({ kind: 'answer', status: 404, body: '{}' }),
        refused(NotFound, 'upstream_not_found', /CPFHub has no such resource/),
      );
      for (const status of [401, 403, 409, 500, 503, 302]) {
        await assert.rejects(
          answered({ kind: 'answer', status, body: 'java.lang.NullPointerException at db(secret-host)' }),
          (error: unknown) => {
            upstream('error_status', status)(error);
            assert.ok(!(error as Error).message.includes('secret-host'));
            return true;
          },
        );
      }
    });

    test('a success that is not JSON, or not labelled JSON, is a bad response', async () => {
      await assert.rejects(
        answered({ kind: 'answer', status: 200, headers: json, body: '{"contributions": [' }),
        upstream('bad_response', 200),
      );
      await assert.rejects(
        answered({ kind: 'answer', status: 200, headers: { 'Content-Type': 'text/html' }, body: '{}' }),
        upstream('bad_response', 200),
      );
      await assert.rejects(
        answered({ kind: 'answer', status: 200, body: '{}' }),
        upstream('bad_response', 200),
      );
      const fine = await answered({
        kind: 'answer',
        status: 200,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: '{"ok":true}',
      });
      assert.equal(fine.body, '{"ok":true}');
    });

    test('no answer in time → upstream_timeout; a reset → upstream_unreachable', async () => {
      await assert.rejects(answered({ kind: 'hang' }), upstream('timeout'));
      await assert.rejects(answered({ kind: 'reset' }), upstream('unreachable'));
    });
  });
});

const USER_MONTH: CpfhubCall = cpfhubCall(MONTH);
const USER_STATEMENTS: CpfhubCall = cpfhubCall(STATEMENTS);

/** A world with one consenting app holding one grant, on CPFHub access tokens of `accessTokenSeconds`. */
const granted = async (accessTokenSeconds = 4, scope = 'cpf_contribution:read cpf_statement:read') => {
  const world = await cpfhubWorld({ accessTokenSeconds });
  const app = await withApp(world, [...ALL_SCOPES]);
  const grantId = await world.newGrant(app, scope);
  const call = (request = USER_MONTH) => world.provider.forwardForUser(app.caller, grantId, request);
  const bearers = () => world.cpfhub.callsTo(API).map((c) => c.headers.get('authorization'));
  return { world, app, grantId, call, bearers };
};

describe('a user’s call, with their grant', () => {
  test('the user’s access token goes to CPFHub, and the answer comes back', async () => {
    const { world, call, bearers } = await granted();
    const answer = await call();
    assert.equal(answer.statusCode, 200);
    assert.equal((JSON.parse(answer.body) as { user: string }).user, 'S9812381D');
    const [bearer] = bearers();
    assert.match(bearer ?? '', /^Bearer [A-Za-z0-9_-]+$/);
    assert.notEqual(bearer, `Bearer ${FAKE_CPFHUB.apiKey}`);
    assert.equal(world.cpfhub.stats.refreshes, 0);
  });

  test('the scope must be both granted by the user and still allowed to the app', async () => {
    const { world, app, call } = await granted(4, 'cpf_statement:read');
    await assert.rejects(call(USER_MONTH), refused(AccessRefused, 'scope_not_granted'));
    assert.equal((await call(USER_STATEMENTS)).statusCode, 200);
    world.apps.put({
      ...app.record,
      providers: { cpfhub: { scopes: ['cpf_contribution:read'], callbackUrl: CALLBACK } },
    });
    await assert.rejects(call(USER_STATEMENTS), refused(AccessRefused, 'scope_not_granted'));
    world.apps.put({ ...app.record, providers: {} });
    await assert.rejects(call(USER_STATEMENTS), refused(AccessRefused, 'provider_not_enabled'));
  });

  test('an unknown grant, another app’s, or one unused for 30 days is unknown_grant', async () => {
    const { world, grantId, call } = await granted();
    const unknown = refused(AccessRefused, 'unknown_grant', /unknown, revoked, expired or not this app’s/);
    const other = await withApp(world, [...ALL_SCOPES]);
    await assert.rejects(world.provider.forwardForUser(other.caller, grantId, USER_MONTH), unknown);
    await assert.rejects(world.provider.forwardForUser(other.caller, 'A'.repeat(43), USER_MONTH), unknown);
    assert.equal((await call()).statusCode, 200, 'the other app’s attempt left it');
    world.clock.advance(30 * 24 * 3600);
    await assert.rejects(call(), unknown);
  });

  describe('refresh', () => {
    test('an expired access token is refreshed once, a little early, and the grant lives on', async () => {
      const { world, grantId, call, bearers } = await granted(4);
      const before = world.grants.peek(grantId);
      await call();
      world.clock.advanceMillis(2_999);
      await call();
      assert.equal(world.cpfhub.stats.refreshes, 0, 'a 4 s token is still good for 3 s');
      world.clock.advanceMillis(1);
      await call();
      await call();
      assert.equal(world.cpfhub.stats.refreshes, 1);
      const [first, second, third, fourth] = bearers();
      assert.equal(first, second);
      assert.notEqual(second, third, 'the refreshed token was used');
      assert.equal(third, fourth);
      const after = world.grants.peek(grantId);
      assert.equal(after?.version, 1);
      assert.equal(after?.accessExpiresAt, world.clock.nowMillis() + 3_000);
      assert.ok((after?.expiresAt ?? 0) > (before?.expiresAt ?? 0), 'a refresh pushes the grant’s life on');
      assert.equal(after?.refreshInDoubtSince, undefined);
      assert.equal(after?.refreshLeaseUntil, undefined);
      const refresh = new URLSearchParams(world.cpfhub.callsTo(TOKEN)[1]?.body);
      assert.equal(refresh.get('grant_type'), 'refresh_token');
      assert.ok(refresh.get('refresh_token'));
    });

    test('CPFHub ending a token early (401): refreshed once and the call made again', async () => {
      const { world, call, bearers } = await granted(300);
      world.cpfhub.endAccessTokens();
      assert.equal((await call()).statusCode, 200);
      assert.equal(world.cpfhub.stats.refreshes, 1);
      const [refused401, retried] = bearers();
      assert.notEqual(refused401, retried);
    });

    test('a 401 on the refreshed token too is CPFHub’s error, with no third try', async () => {
      const { world, call } = await granted(300);
      world.cpfhub.fault(API, { kind: 'answer', status: 401, body: '{"error":"invalid_token"}' }, 2);
      await assert.rejects(call(), upstream('error_status', 401));
      assert.equal(world.cpfhub.callsTo(API).length, 2);
      assert.equal(world.cpfhub.stats.refreshes, 1);
    });

    test('10 concurrent calls on an expired token: exactly one refresh, and all succeed', async () => {
      const { world, call } = await granted(4);
      world.clock.advance(4);
      const answers = await Promise.all(Array.from({ length: 10 }, () => call()));
      assert.deepEqual(
        answers.map((a) => a.statusCode),
        Array(10).fill(200),
      );
      assert.equal(world.cpfhub.stats.refreshes, 1);
    });

    test('while another caller refreshes, the rest wait for its save and use its token', async () => {
      const { world, grantId, call, bearers } = await granted(4);
      world.clock.advance(4);
      let release = () => {};
      world.cpfhub.fault(TOKEN, { kind: 'hold', until: new Promise<void>((resolve) => (release = resolve)) });
      const first = call();
      await sleep(20);
      assert.ok(world.grants.peek(grantId)?.refreshLeaseUntil, 'the first caller holds the lease');
      const waiting = call(USER_STATEMENTS);
      await sleep(150);
      release();
      assert.equal((await first).statusCode, 200);
      assert.equal((await waiting).statusCode, 200);
      assert.equal(world.cpfhub.stats.refreshes, 1);
      const [a, b] = bearers();
      assert.equal(a, b, 'the waiting caller used the token the first one saved');
    });

    test('a lease held past twice its term by others: upstream_timeout, not a second refresh', async () => {
      const { world, grantId, call } = await granted(4);
      world.clock.advance(4);
      const leaseMs = world.config.upstreamTimeoutMs + 5_000;
      world.grants.poke(grantId, { refreshLeaseUntil: world.clock.nowMillis() + 10 * leaseMs });
      const waiting = call();
      await sleep(30);
      world.clock.advanceMillis(2 * leaseMs);
      await assert.rejects(waiting, upstream('timeout'));
      assert.equal(world.cpfhub.stats.refreshes, 0);
    });

    test('a grant revoked while waiting for another caller’s refresh is unknown_grant', async () => {
      const { world, grantId, app, call } = await granted(4);
      world.clock.advance(4);
      world.grants.poke(grantId, { refreshLeaseUntil: world.clock.nowMillis() + 60_000 });
      const waiting = call();
      await sleep(30);
      await world.grants.remove(grantId, app.record.appId);
      await assert.rejects(waiting, refused(AccessRefused, 'unknown_grant'));
    });

    test('a refresh whose answer CPFHub acted on but was lost: unreachable now, grant_lost next, then gone', async () => {
      const { world, grantId, call } = await granted(4);
      world.clock.advance(4);
      world.cpfhub.fault(TOKEN, { kind: 'drop-answer' });
      await assert.rejects(call(), upstream('unreachable'));
      assert.equal(world.cpfhub.stats.refreshes, 1, 'CPFHub rotated the refresh token');
      const doubted = world.grants.peek(grantId);
      assert.ok(doubted?.refreshInDoubtSince !== undefined, 'the grant is in doubt');
      assert.equal(doubted?.refreshLeaseUntil, undefined, 'the lease is freed for the next caller');
      await assert.rejects(
        call(),
        refused(
          AccessRefused,
          'grant_lost',
          /after a refresh whose answer was lost; the user must consent again/,
        ),
      );
      assert.equal(world.grants.peek(grantId), undefined);
      await assert.rejects(call(), refused(AccessRefused, 'unknown_grant'));
    });

    test('a refresh lost before CPFHub acted: the next one succeeds and ends the doubt, so a later end is grant_revoked', async () => {
      const { world, grantId, call } = await granted(4);
      world.clock.advance(4);
      world.cpfhub.fault(TOKEN, { kind: 'reset' });
      await assert.rejects(call(), upstream('unreachable'));
      assert.ok(world.grants.peek(grantId)?.refreshInDoubtSince !== undefined);
      assert.equal((await call()).statusCode, 200);
      assert.equal(world.cpfhub.stats.refreshes, 1, 'only the second refresh reached CPFHub');
      assert.equal(
        world.grants.peek(grantId)?.refreshInDoubtSince,
        undefined,
        'a clean refresh ends the doubt',
      );
      world.cpfhub.withdraw();
      world.clock.advance(4);
      await assert.rejects(call(), refused(AccessRefused, 'grant_revoked'));
    });

    test('consent withdrawn at CPFHub with no refresh in doubt → grant_revoked, and the grant is gone', async () => {
      const { world, grantId, call } = await granted(4);
      world.cpfhub.withdraw();
      world.clock.advance(4);
      await assert.rejects(
        call(),
        refused(AccessRefused, 'grant_revoked', /consent has ended; start the OAuth flow again/),
      );
      assert.equal(world.grants.peek(grantId), undefined);
      await assert.rejects(call(), refused(AccessRefused, 'unknown_grant'));
    });

    const outcomes: {
      name: string;
      fault: Fault;
      failure: UpstreamFailure;
      status?: number;
      doubt: boolean;
    }[] = [
      {
        name: 'a 5xx',
        fault: { kind: 'answer', status: 502, body: '' },
        failure: 'error_status',
        status: 502,
        doubt: true,
      },
      { name: 'no answer in time', fault: { kind: 'hang' }, failure: 'timeout', doubt: true },
      {
        name: 'an unreadable answer',
        fault: { kind: 'answer', status: 200, body: '<html>' },
        failure: 'bad_response',
        doubt: true,
      },
      {
        name: 'a 4xx refusal other than invalid_grant',
        fault: { kind: 'answer', status: 401, body: '{"error":"invalid_client"}' },
        failure: 'error_status',
        status: 401,
        doubt: false,
      },
    ];
    for (const { name, fault, failure, status, doubt } of outcomes) {
      test(`a refresh met by ${name}: upstream_${failure}, and the grant ${doubt ? 'is' : 'is not'} left in doubt`, async () => {
        const { world, grantId, call } = await granted(4);
        world.clock.advance(4);
        world.cpfhub.fault(TOKEN, fault);
        await assert.rejects(call(), upstream(failure, status));
        const record = world.grants.peek(grantId);
        assert.equal(record?.refreshInDoubtSince !== undefined, doubt);
        assert.equal(record?.refreshLeaseUntil, undefined, 'the next caller may try at once');
        assert.equal(record?.version, 0);
      });
    }

    test('a refusal after an earlier doubt keeps the doubt: the next invalid_grant is grant_lost', async () => {
      const { world, grantId, call } = await granted(4);
      world.clock.advance(4);
      world.cpfhub.fault(TOKEN, { kind: 'drop-answer' });
      await assert.rejects(call(), upstream('unreachable'));
      world.cpfhub.fault(TOKEN, { kind: 'answer', status: 401, body: '{"error":"invalid_client"}' });
      await assert.rejects(call(), upstream('error_status', 401));
      assert.ok(world.grants.peek(grantId)?.refreshInDoubtSince !== undefined);
      await assert.rejects(call(), refused(AccessRefused, 'grant_lost'));
    });

    test('tokens sealed under a retired key still open once a new key seals; a key dropped entirely fails without doubt', async () => {
      const { world, grantId, call } = await granted(4);
      const [oldKey] = cpfhubSecret().tokenKeys;
      assert.ok(oldKey);
      const original = JSON.parse((await world.secrets.read(SECRET_IDS.cpfhub)).text) as ReturnType<
        typeof cpfhubSecret
      >;
      world.secrets.set(SECRET_IDS.cpfhub, cpfhubSecret([aesKey('tokens-2'), ...original.tokenKeys]));
      world.clock.advance(4);
      assert.equal(
        (await call()).statusCode,
        200,
        'the old key opened the grant; the new one sealed the refresh',
      );
      assert.equal(world.grants.peek(grantId)?.tokens.kid, 'tokens-2');
      world.secrets.set(SECRET_IDS.cpfhub, cpfhubSecret([aesKey('tokens-3')]));
      world.clock.advance(4);
      await assert.rejects(call(), /no longer configured/);
      assert.equal(world.grants.peek(grantId)?.refreshInDoubtSince, undefined, 'nothing left for CPFHub');
      assert.equal(world.cpfhub.stats.refreshes, 1);
    });
  });

  test('a user’s call rate limited by CPFHub passes its Retry-After on', async () => {
    const { world, call } = await granted();
    world.cpfhub.fault(API, { kind: 'answer', status: 429, body: '{}', headers: { 'Retry-After': '7' } });
    await assert.rejects(
      call(),
      (error: unknown) => error instanceof UpstreamRateLimited && error.retryAfter === '7',
    );
  });
});

describe('ending a grant', () => {
  test('revoked at CPFHub with its refresh token, then forgotten; a second time it is unknown', async () => {
    const { world, app, grantId, call } = await granted();
    await world.provider.endGrant(app.caller, grantId);
    const [revocation] = world.cpfhub.callsTo(REVOKE);
    assert.ok(revocation);
    const form = new URLSearchParams(revocation.body);
    assert.equal(form.get('token_type_hint'), 'refresh_token');
    assert.ok(form.get('token'));
    assert.match(revocation.headers.get('authorization') ?? '', /^Basic /);
    assert.equal(world.grants.peek(grantId), undefined);
    await assert.rejects(call(), refused(AccessRefused, 'unknown_grant'));
    await assert.rejects(
      world.provider.endGrant(app.caller, grantId),
      refused(AccessRefused, 'unknown_grant'),
    );
    assert.equal(world.cpfhub.callsTo(REVOKE).length, 1);
  });

  test('another app may not end it; a disabled app may not either', async () => {
    const { world, app, grantId, call } = await granted();
    const other = await withApp(world, [...ALL_SCOPES]);
    await assert.rejects(
      world.provider.endGrant(other.caller, grantId),
      refused(AccessRefused, 'unknown_grant'),
    );
    world.apps.put({ ...app.record, status: 'disabled' });
    await assert.rejects(
      world.provider.endGrant(app.caller, grantId),
      refused(AccessRefused, 'invalid_api_key'),
    );
    world.apps.put(app.record);
    assert.equal((await call()).statusCode, 200);
    assert.equal(world.cpfhub.callsTo(REVOKE).length, 0);
  });

  test('CPFHub failing the revocation keeps the grant for a retry', async () => {
    const { world, app, grantId } = await granted();
    world.cpfhub.fault(REVOKE, { kind: 'answer', status: 503, body: '' });
    await assert.rejects(world.provider.endGrant(app.caller, grantId), upstream('error_status', 503));
    assert.ok(world.grants.peek(grantId));
    world.cpfhub.fault(REVOKE, { kind: 'hang' });
    await assert.rejects(world.provider.endGrant(app.caller, grantId), upstream('timeout'));
    await world.provider.endGrant(app.caller, grantId);
    assert.equal(world.grants.peek(grantId), undefined);
  });
});
