import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type CpfhubSimulator, startCpfhubSimulator } from '@secpass/simulators/cpfhub';
import {
  AccessRefused,
  CodeRejected,
  StateRefused,
  UpstreamFailed,
  type UpstreamFailure,
} from '../../shared/core/errors.ts';
import type { CpfhubCall } from '../../shared/providers/cpfhub/proxy.ts';
import { MissingClientIdError } from '../../shared/secrets/client-id.ts';
import { ALL_SCOPES, cpfhubWorld, ISSUER, type TestApp } from '../support/cpfhub-world.ts';
import { FAKE_CPFHUB, type Fault } from '../support/fake-cpfhub.ts';

/**
 * CPFHub's OAuth flow on memory ports and a fake CPFHub: `GET /cpfhub/oauth/init` (the app's
 * scopes, a sealed PKCE verifier) and `GET /cpfhub/oauth/token` (the state rules, the code
 * exchange, the grant kept sealed and the app's token naming only its id).
 */

const SCOPE = 'cpf_contribution:read cpf_statement:read';
const CALLBACK = 'https://app.example/cpfhub/callback';
const TOKEN = /\/oauth\/token$/;

const refused =
  <E extends new (...args: never[]) => Error & { code: string }>(type: E, code: string, message?: RegExp) =>
  (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${String(error)}`);
    assert.equal(error.code, code);
    if (message) assert.match(error.message, message);
    return true;
  };

const consentingApp = (world: Awaited<ReturnType<typeof cpfhubWorld>>, scopes = [...ALL_SCOPES]) =>
  world.newApp({ scopes, callbackUrl: CALLBACK });

describe('init', () => {
  test('a redirect to CPFHub’s authorize endpoint with the callback, the scope, a fresh state and an S256 challenge', async () => {
    const world = await cpfhubWorld();
    const app = await consentingApp(world);
    const readsBefore = world.secrets.reads;
    const url = new URL(await world.provider.start(app.record, SCOPE));
    assert.equal(`${url.origin}${url.pathname}`, `${FAKE_CPFHUB.oauthBaseUrl}/authorize`);
    const params = Object.fromEntries(url.searchParams);
    assert.deepEqual(Object.keys(params).sort(), [
      'client_id',
      'code_challenge',
      'code_challenge_method',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
    ]);
    assert.equal(params.response_type, 'code');
    assert.equal(params.client_id, FAKE_CPFHUB.clientId);
    assert.equal(params.redirect_uri, CALLBACK);
    assert.equal(params.scope, SCOPE);
    assert.equal(params.code_challenge_method, 'S256');
    assert.match(params.state ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(params.code_challenge ?? '', /^[A-Za-z0-9_-]{43}$/);

    const stored = world.states.peek(params.state ?? '');
    assert.ok(stored);
    assert.equal(stored.provider, 'cpfhub');
    assert.equal(stored.appId, app.record.appId);
    assert.equal(stored.scope, SCOPE);
    assert.equal(stored.redirectUri, CALLBACK);
    assert.equal(stored.expiresAt, world.clock.nowSeconds() + 600);
    assert.equal(stored.codeVerifier, undefined, 'the PKCE verifier is not kept in the clear');
    assert.ok((stored.sealedCodeVerifier as { data?: string } | undefined)?.data, 'it is sealed');
    // Starting reads the state keys (to seal the verifier), never CPFHub's secret.
    assert.equal(world.secrets.reads, readsBefore + 1);

    const second = new URL(await world.provider.start(app.record, SCOPE));
    assert.notEqual(second.searchParams.get('state'), params.state);
    assert.notEqual(second.searchParams.get('code_challenge'), params.code_challenge);
  });

  test('the state lives as configured', async () => {
    const world = await cpfhubWorld({ stateTtlSeconds: 60 });
    const app = await consentingApp(world);
    const state = new URL(await world.provider.start(app.record, SCOPE)).searchParams.get('state') ?? '';
    assert.equal(world.states.peek(state)?.expiresAt, world.clock.nowSeconds() + 60);
  });

  test('a scope beyond the app’s allowance, or one asked twice, is refused and saves nothing', async () => {
    const world = await cpfhubWorld();
    const narrow = await consentingApp(world, ['cpf_statement:read']);
    const notAllowed = refused(AccessRefused, 'scope_not_allowed', /not within this app’s CPFHub scopes/);
    await assert.rejects(world.provider.start(narrow.record, 'cpf_contribution:read'), notAllowed);
    await assert.rejects(
      world.provider.start(narrow.record, 'cpf_statement:read cpf_contribution:read'),
      notAllowed,
    );
    await assert.rejects(
      world.provider.start(narrow.record, 'cpf_statement:read cpf_statement:read'),
      notAllowed,
    );
    await assert.rejects(world.provider.start(narrow.record, 'cpf_unknown:read'), notAllowed);
    assert.ok(await world.provider.start(narrow.record, 'cpf_statement:read'));
  });

  test('an app without CPFHub, or with CPFHub but no callback, may not start a consent', async () => {
    const world = await cpfhubWorld();
    const notEnabled = refused(AccessRefused, 'provider_not_enabled', /CPFHub user consent is not enabled/);
    const none = await world.newApp(undefined);
    await assert.rejects(world.provider.start(none.record, SCOPE), notEnabled);
    const serverOnly = await world.newApp({ scopes: [...ALL_SCOPES] });
    await assert.rejects(world.provider.start(serverOnly.record, SCOPE), notEnabled);
  });

  test('no client id configured: a typed error naming the setting, and no state is saved', async () => {
    const world = await cpfhubWorld({
      config: { clientId: { value: undefined, setting: 'CPFHUB_CLIENT_ID' } },
    });
    const app = await consentingApp(world);
    await assert.rejects(
      world.provider.start(app.record, SCOPE),
      (error: unknown) => error instanceof MissingClientIdError && error.setting === 'CPFHUB_CLIENT_ID',
    );
  });
});

describe('token', () => {
  test('the code is exchanged with the PKCE verifier; the app gets a sealed token naming only its grant', async () => {
    const world = await cpfhubWorld();
    const app = await consentingApp(world);
    const authorizeUrl = await world.provider.start(app.record, SCOPE);
    const { code, state } = world.cpfhub.consent(authorizeUrl);
    const token = await world.provider.finish(app.caller, code, state);

    const [exchange] = world.cpfhub.callsTo(TOKEN);
    assert.ok(exchange);
    assert.equal(exchange.method, 'POST');
    assert.equal(exchange.headers.get('content-type'), 'application/x-www-form-urlencoded');
    assert.equal(exchange.headers.get('accept'), 'application/json');
    const basic = Buffer.from(
      `${encodeURIComponent(FAKE_CPFHUB.clientId)}:${encodeURIComponent(FAKE_CPFHUB.clientSecret)}`,
    ).toString('base64');
    assert.equal(exchange.headers.get('authorization'), `Basic ${basic}`);
    const form = new URLSearchParams(exchange.body);
    assert.equal(form.get('grant_type'), 'authorization_code');
    assert.equal(form.get('code'), code);
    assert.equal(form.get('redirect_uri'), CALLBACK);
    const challenge = new URL(authorizeUrl).searchParams.get('code_challenge');
    assert.equal(
      createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url'),
      challenge,
    );

    const { header, claims } = await world.openToken(token, app);
    assert.deepEqual(Object.keys(claims), ['iss', 'aud', 'iat', 'grant_id', 'scope']);
    assert.equal(claims.iss, ISSUER);
    assert.equal(claims.aud, app.record.appId);
    assert.equal(claims.iat, world.clock.nowSeconds());
    assert.equal(claims.scope, SCOPE);
    assert.match(claims.grant_id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(header.aud, app.record.appId);
    assert.equal(header.iss, ISSUER);

    const grant = world.grants.peek(claims.grant_id);
    assert.ok(grant);
    assert.equal(grant.appId, app.record.appId);
    assert.equal(grant.scope, SCOPE);
    assert.equal(grant.version, 0);
    assert.equal(grant.expiresAt, world.clock.nowSeconds() + 30 * 24 * 3600);
    // 300 s tokens: spent 30 s early.
    assert.equal(grant.accessExpiresAt, world.clock.nowMillis() + 270_000);
    const stored = world.grants.dump();
    assert.ok(!stored.includes(claims.grant_id), 'no grant id in the store');
    assert.equal(
      world.states.peek(state)?.sealedCodeVerifier,
      undefined,
      'the verifier leaves with the used state',
    );
  });

  test('the tokens CPFHub issued are sealed at rest', async () => {
    const world = await cpfhubWorld();
    const app = await consentingApp(world);
    const grantId = await world.newGrant(app);
    await world.provider.forwardForUser(app.caller, grantId, {
      allowed: { method: 'GET', path: 'statements', scope: 'cpf_statement:read' },
      query: '',
    });
    const bearer =
      world.cpfhub
        .callsTo(/\/v1\//)[0]
        ?.headers.get('authorization')
        ?.replace('Bearer ', '') ?? '';
    assert.ok(bearer.length > 10);
    assert.ok(!world.grants.dump().includes(bearer), 'no access token in the clear');
  });

  test('CPFHub’s granted scope is kept when narrower; when it names none, the asked scope is', async () => {
    const narrowing = await cpfhubWorld({ grantedScope: () => 'cpf_statement:read' });
    const app = await consentingApp(narrowing);
    const { code, state } = narrowing.cpfhub.consent(await narrowing.provider.start(app.record, SCOPE));
    const { claims } = await narrowing.openToken(
      await narrowing.provider.finish(app.caller, code, state),
      app,
    );
    assert.equal(claims.scope, 'cpf_statement:read');
    assert.equal(narrowing.grants.peek(claims.grant_id)?.scope, 'cpf_statement:read');

    const silent = await cpfhubWorld({ grantedScope: () => undefined });
    const other = await consentingApp(silent);
    const second = silent.cpfhub.consent(await silent.provider.start(other.record, SCOPE));
    const opened = await silent.openToken(
      await silent.provider.finish(other.caller, second.code, second.state),
      other,
    );
    assert.equal(opened.claims.scope, SCOPE);
  });

  test('a code obtained with another PKCE challenge is refused by CPFHub: invalid_code, nothing stored, the state spent', async () => {
    const world = await cpfhubWorld();
    const app = await consentingApp(world);
    const authorizeUrl = new URL(await world.provider.start(app.record, SCOPE));
    const state = authorizeUrl.searchParams.get('state') ?? '';
    authorizeUrl.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    const { code } = world.cpfhub.consent(authorizeUrl.toString());
    await assert.rejects(
      world.provider.finish(app.caller, code, state),
      refused(CodeRejected, 'invalid_code', /used, expired or was not issued for this flow/),
    );
    assert.equal(world.grants.dump(), '[]');
    await assert.rejects(world.provider.finish(app.caller, code, state), refused(StateRefused, 'state_used'));
  });

  test('a replayed code is refused', async () => {
    const world = await cpfhubWorld();
    const app = await consentingApp(world);
    const first = world.cpfhub.consent(await world.provider.start(app.record, SCOPE));
    await world.provider.finish(app.caller, first.code, first.state);
    const second = world.cpfhub.consent(await world.provider.start(app.record, SCOPE));
    await assert.rejects(
      world.provider.finish(app.caller, first.code, second.state),
      refused(CodeRejected, 'invalid_code'),
    );
  });

  describe('state rules', () => {
    const started = async () => {
      const world = await cpfhubWorld();
      const app = await consentingApp(world);
      const { code, state } = world.cpfhub.consent(await world.provider.start(app.record, SCOPE));
      return { world, app, code, state };
    };
    const succeeds = async ({ world, app, code, state }: Awaited<ReturnType<typeof started>>) => {
      const { claims } = await world.openToken(await world.provider.finish(app.caller, code, state), app);
      assert.equal(claims.aud, app.record.appId);
    };

    test('unknown, used and another app’s states are refused; the other app’s attempt leaves it usable', async () => {
      const flow = await started();
      const other = await consentingApp(flow.world);
      await assert.rejects(
        flow.world.provider.finish(other.caller, flow.code, flow.state),
        refused(StateRefused, 'invalid_state'),
      );
      await assert.rejects(
        flow.world.provider.finish(flow.app.caller, flow.code, 'x'.repeat(43)),
        refused(StateRefused, 'invalid_state'),
      );
      await succeeds(flow);
      await assert.rejects(
        flow.world.provider.finish(flow.app.caller, flow.code, flow.state),
        refused(StateRefused, 'state_used'),
      );
      assert.equal(flow.world.cpfhub.callsTo(TOKEN).length, 1, 'refused states never reach CPFHub');
    });

    test('an expired state is refused', async () => {
      const flow = await started();
      flow.world.clock.advance(600);
      await assert.rejects(
        flow.world.provider.finish(flow.app.caller, flow.code, flow.state),
        refused(StateRefused, 'state_expired'),
      );
    });

    test('a state saved for another provider is unknown here', async () => {
      const world = await cpfhubWorld();
      const app = await consentingApp(world);
      await world.states.save({
        state: 's'.repeat(43),
        appId: app.record.appId,
        provider: 'myinfobiz',
        expiresAt: world.clock.nowSeconds() + 600,
        redirectUri: CALLBACK,
        attributes: 'name',
      });
      await assert.rejects(
        world.provider.finish(app.caller, 'code', 's'.repeat(43)),
        refused(StateRefused, 'invalid_state'),
      );
    });

    test('a disabled app, a rotated-out key or consent switched off mid-flow is refused before the state is used', async () => {
      const flow = await started();
      const { world, app } = flow;
      world.apps.put({ ...app.record, status: 'disabled' });
      await assert.rejects(
        world.provider.finish(app.caller, flow.code, flow.state),
        refused(AccessRefused, 'invalid_api_key'),
      );
      world.apps.put(app.record);
      await assert.rejects(
        world.provider.finish({ appId: app.record.appId, keyHash: '0'.repeat(64) }, flow.code, flow.state),
        refused(AccessRefused, 'invalid_api_key'),
      );
      world.apps.put({ ...app.record, providers: { cpfhub: { scopes: [...ALL_SCOPES] } } });
      await assert.rejects(
        world.provider.finish(app.caller, flow.code, flow.state),
        refused(AccessRefused, 'provider_not_enabled'),
      );
      world.apps.put(app.record);
      await succeeds(flow);
    });
  });

  describe('CPFHub failing the exchange: its failure, nothing stored, the state spent', () => {
    const cases: { name: string; fault: Fault; failure: UpstreamFailure; upstreamStatus?: number }[] = [
      {
        name: 'a 5xx',
        fault: { kind: 'answer', status: 503, body: 'busy' },
        failure: 'error_status',
        upstreamStatus: 503,
      },
      {
        name: 'a refusal of our client',
        fault: { kind: 'answer', status: 401, body: '{"error":"invalid_client"}' },
        failure: 'error_status',
        upstreamStatus: 401,
      },
      {
        name: 'a 400 that is not invalid_grant',
        fault: { kind: 'answer', status: 400, body: '{"error":"invalid_request"}' },
        failure: 'error_status',
        upstreamStatus: 400,
      },
      {
        name: 'a 400 that is not JSON',
        fault: { kind: 'answer', status: 400, body: '<html>bad</html>' },
        failure: 'error_status',
        upstreamStatus: 400,
      },
      {
        name: 'garbage',
        fault: { kind: 'answer', status: 200, body: '{"access_token":' },
        failure: 'bad_response',
      },
      {
        name: 'a token set of the wrong shape',
        fault: {
          kind: 'answer',
          status: 200,
          body: JSON.stringify({ access_token: 'a', token_type: 'mac', expires_in: 60, refresh_token: 'r' }),
        },
        failure: 'bad_response',
      },
      { name: 'a reset', fault: { kind: 'reset' }, failure: 'unreachable' },
      { name: 'no answer in time', fault: { kind: 'hang' }, failure: 'timeout' },
    ];
    for (const { name, fault, failure, upstreamStatus } of cases) {
      test(`${name} → upstream_${failure}`, async () => {
        const world = await cpfhubWorld();
        const app = await consentingApp(world);
        const { code, state } = world.cpfhub.consent(await world.provider.start(app.record, SCOPE));
        world.cpfhub.fault(TOKEN, fault);
        await assert.rejects(world.provider.finish(app.caller, code, state), (error: unknown) => {
          assert.ok(error instanceof UpstreamFailed);
          assert.equal(error.code, `upstream_${failure}`);
          assert.equal(error.provider, 'CPFHub');
          assert.equal(error.upstreamStatus, upstreamStatus);
          assert.ok(error.message.startsWith('CPFHub '));
          return true;
        });
        assert.equal(world.grants.dump(), '[]');
        await assert.rejects(
          world.provider.finish(app.caller, code, state),
          refused(StateRefused, 'state_used'),
        );
      });
    }
  });

  test('CPFHub’s secret unreadable: the exchange fails before anything leaves, and nothing is stored', async () => {
    const world = await cpfhubWorld();
    const app: TestApp = await consentingApp(world);
    const { code, state } = world.cpfhub.consent(await world.provider.start(app.record, SCOPE));
    world.secrets.set('test/cpfhub', { apiKey: 'only' });
    await assert.rejects(world.provider.finish(app.caller, code, state));
    assert.equal(world.cpfhub.callsTo(TOKEN).length, 0);
    assert.equal(world.grants.dump(), '[]');
  });
});

describe('against the CPFHub simulator, over loopback', () => {
  let simulator: CpfhubSimulator;
  before(async () => {
    simulator = await startCpfhubSimulator({
      port: 0,
      apiKeys: [{ key: FAKE_CPFHUB.apiKey, scopes: [...ALL_SCOPES] }],
      clients: [
        {
          clientId: FAKE_CPFHUB.clientId,
          clientSecret: FAKE_CPFHUB.clientSecret,
          redirectUris: [CALLBACK],
          scopes: [...ALL_SCOPES],
        },
      ],
    });
  });
  after(async () => {
    await simulator?.stop();
  });

  test('consent → token → the user’s calls → refresh → revoke, as CPFHub speaks them', async () => {
    const world = await cpfhubWorld({
      fetch: (url, init) => fetch(url, init),
      config: {
        apiBaseUrl: simulator.apiBaseUrl,
        oauthBaseUrl: simulator.oauthBaseUrl,
        upstreamTimeoutMs: 5_000,
      },
    });
    const app = await consentingApp(world);
    const consent = await fetch(await world.provider.start(app.record, SCOPE), {
      headers: { 'X-Custom-User': 'S9812381D' },
      redirect: 'manual',
    });
    assert.equal(consent.status, 302);
    const callback = new URL(consent.headers.get('location') ?? '');
    assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
    const code = callback.searchParams.get('code') ?? '';
    const state = callback.searchParams.get('state') ?? '';
    const { claims } = await world.openToken(await world.provider.finish(app.caller, code, state), app);
    assert.equal(claims.scope, SCOPE);
    assert.equal(simulator.stats().codeGrants, 1);

    const month: CpfhubCall = {
      allowed: { method: 'GET', path: 'contributions', scope: 'cpf_contribution:read' },
      query: 'year=2025&month=4',
    };
    const mine = await world.provider.forwardForUser(app.caller, claims.grant_id, month);
    assert.equal(mine.statusCode, 200);
    const { contributions } = JSON.parse(mine.body) as { contributions: { nric: string }[] };
    assert.deepEqual(
      contributions.map((c) => c.nric),
      ['S9812381D'],
      'the user’s own records only',
    );
    const employer = await world.provider.forwardWithApiKey(app.caller, month);
    assert.ok((JSON.parse(employer.body) as { contributions: unknown[] }).contributions.length >= 3);

    world.clock.advance(300);
    assert.equal((await world.provider.forwardForUser(app.caller, claims.grant_id, month)).statusCode, 200);
    assert.equal(simulator.stats().refreshGrants, 1);

    await world.provider.endGrant(app.caller, claims.grant_id);
    await assert.rejects(
      world.provider.forwardForUser(app.caller, claims.grant_id, month),
      refused(AccessRefused, 'unknown_grant'),
    );
    await assert.rejects(world.provider.finish(app.caller, code, state), refused(StateRefused, 'state_used'));
  });
});
