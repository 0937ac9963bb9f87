import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  headlessAuthorize,
  type SingpassFapiIssuer,
  startSingpassFapiIssuer,
} from '@secpass/simulators/singpass-fapi';
import type { SingpassSettings } from '../../shared/apps/app-record.ts';
import { AccessRefused, StateRefused, UpstreamFailed } from '../../shared/core/errors.ts';
import { type SingpassConfig, singpassProvider } from '../../shared/providers/singpass/singpass.ts';
import { type FakeSingpass, type IdTokenFlaw, startFakeSingpass } from '../helpers/fake-singpass.ts';
import {
  type Answer,
  HANG,
  type Harness,
  harness,
  json,
  newApp,
  SINGPASS_SECRET,
  scriptedFetch,
  serveJwks,
  singpassSecretOf,
  type TestApp,
  text,
} from '../support/singpass-myinfo-fixtures.ts';

/**
 * Singpass Login under FAPI 2.0, in one process: the provider against the FAPI issuer simulator
 * on loopback (PAR, headless login, token with DPoP) and, for the ID tokens a real issuer would
 * never send, the fake Singpass. Faults are injected in the context's fetch, which openid-client
 * uses for every call.
 */

const LOGIN_CLIENT = 'L0g1nC11entF0rUn1tTest5000000001';
const CALLBACK = 'http://127.0.0.1:9/singpass/callback';
const PERSON = { nric: 'S9812381D', uuid: '3f9ab7e6-2c0d-4a51-9d3e-1b2c3d4e5f60' };

let relyingParty: Awaited<ReturnType<typeof singpassSecretOf>>;
let jwks: Awaited<ReturnType<typeof serveJwks>>;
let issuer: SingpassFapiIssuer;
let fake: FakeSingpass;

before(async () => {
  relyingParty = await singpassSecretOf();
  jwks = await serveJwks(() => relyingParty.jwks);
  issuer = await startSingpassFapiIssuer({
    port: 0,
    clients: [
      {
        clientId: LOGIN_CLIENT,
        appType: 'login',
        redirectUris: [CALLBACK],
        jwksUri: jwks.url,
        scopes: ['name'],
        authenticationContextTypes: ['APP_AUTHENTICATION_DEFAULT', 'BANK_CASA_OPENING'],
      },
    ],
  });
  fake = await startFakeSingpass(jwks.url, {
    subject: 'fapi',
    encryptTo: (key) => key.kid === relyingParty.secret.fapi?.encryptionKeys[0]?.kid,
  });
});
after(async () => {
  await fake?.stop();
  await issuer?.stop();
  await jwks?.stop();
});

/** What the next calls meet instead of the issuer, when a test says so; every request is recorded. */
let fault: ((url: URL) => Answer | undefined) | undefined;
let requests: { url: URL; init: RequestInit }[];
let h: Harness;
let app: TestApp;
let other: TestApp;
let fapiIssuer: { issuer: string; timeoutMs: number };
let provider: ReturnType<typeof singpassProvider>;

const loginSettings = (fapi2: Partial<NonNullable<SingpassSettings['fapi2']>> = {}): SingpassSettings => ({
  callbackUrl: CALLBACK,
  profile: 'fapi2',
  fapi2: {
    clientId: LOGIN_CLIENT,
    authenticationContextType: 'APP_AUTHENTICATION_DEFAULT',
    scopes: [],
    ...fapi2,
  },
});

const config = (): SingpassConfig => ({
  discoveryUrl: 'http://127.0.0.1:9/legacy/.well-known/openid-configuration',
  timeoutMs: 1000,
  secret: { secretId: SINGPASS_SECRET, legacyClientId: { value: 'legacy', setting: 'SINGPASS_CLIENT_ID' } },
  fapi: fapiIssuer,
  defaultProfile: 'legacy',
});

beforeEach(async () => {
  fault = undefined;
  requests = [];
  const fetch = scriptedFetch((url, init) => {
    requests.push({ url, init });
    return fault?.(url) ?? globalThis.fetch(url, init);
  });
  h = await harness({ fetch, secrets: { [SINGPASS_SECRET]: relyingParty.secret } });
  app = await newApp('app_fapi', { singpass: loginSettings() });
  other = await newApp('app_other', { singpass: loginSettings() });
  h.apps.put(app.record);
  h.apps.put(other.record);
  fapiIssuer = { issuer: issuer.issuer, timeoutMs: 1000 };
  provider = singpassProvider(config(), h.context);
});

/** authReqUri → the issuer's headless login → the code and state at the app's callback. */
const login = async (who: TestApp = app) => {
  const url = new URL(await provider.start(who.record));
  const callback = await headlessAuthorize(url.toString(), PERSON);
  assert.equal(`${callback.origin}${callback.pathname}`, CALLBACK);
  return {
    url,
    code: callback.searchParams.get('code') ?? '',
    state: callback.searchParams.get('state') ?? '',
  };
};

/** Against the fake issuer: PAR and authorize pass, the ID token is what is being tested. */
const fakeLogin = async () => {
  fapiIssuer.issuer = fake.discoveryUrl.replace('/.well-known/openid-configuration', '');
  const url = await provider.start(app.record);
  const back = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
  return { code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state') ?? '' };
};

const refusedAs = (code: string) => (error: unknown) => {
  assert.ok(
    error instanceof StateRefused || error instanceof AccessRefused || error instanceof UpstreamFailed,
    String(error),
  );
  assert.equal(error.code, code);
  return true;
};

const pushed = () => {
  const par = requests.find(({ url }) => url.pathname.endsWith('/par'));
  return { params: new URLSearchParams(String(par?.init.body)), headers: new Headers(par?.init.headers) };
};

describe('Singpass Login (FAPI 2.0): the happy path', () => {
  test('authReqUri: a PAR as the app’s Login registration; the person is sent with client_id and request_uri only', async () => {
    const url = new URL(await provider.start(app.record));
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.equal(url.searchParams.get('client_id'), LOGIN_CLIENT);
    const { params, headers } = pushed();
    assert.equal(params.get('client_id'), LOGIN_CLIENT);
    assert.equal(params.get('scope'), 'openid');
    assert.equal(params.get('redirect_uri'), CALLBACK);
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.equal(params.get('authentication_context_type'), 'APP_AUTHENTICATION_DEFAULT');
    assert.equal(params.has('authentication_context_message'), false);
    assert.equal(
      params.get('client_assertion_type'),
      'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    );
    assert.ok(headers.get('dpop'), 'the PAR carries a DPoP proof');
    const saved = h.states.peek(params.get('state') ?? '');
    assert.equal(saved?.provider, 'singpass');
    assert.equal(saved?.expiresAt, h.clock.nowSeconds() + 600);
    assert.ok(saved?.provider === 'singpass' && saved.fapi);
    assert.equal(saved.nonce, saved.fapi.nonce);
    assert.equal(saved.fapi.nonce, params.get('nonce'));
    assert.equal(saved.fapi.clientId, LOGIN_CLIENT);
    assert.equal(saved.fapi.dpopKey.privateJwk.kty, 'EC');
  });

  test('userInfo: the code redeemed with the session’s DPoP key; a login token naming the person by UUID only', async () => {
    const { code, state } = await login();
    const claims = await h.openLoginToken(await provider.finish(app.caller, code, state), app);
    assert.equal(claims.sub, `u=${PERSON.uuid}`);
  });

  test('the registration’s context message and scopes go into the PAR', async () => {
    const record = {
      ...app.record,
      providers: {
        singpass: loginSettings({
          authenticationContextType: 'BANK_CASA_OPENING',
          authenticationContextMessage: 'Open an account',
          scopes: ['name'],
        }),
      },
    };
    h.apps.put(record);
    const url = await provider.start(record);
    const { params } = pushed();
    assert.equal(params.get('scope'), 'openid name');
    assert.equal(params.get('authentication_context_type'), 'BANK_CASA_OPENING');
    assert.equal(params.get('authentication_context_message'), 'Open an account');
    const callback = await headlessAuthorize(url, PERSON);
    const token = await provider.finish(
      app.caller,
      callback.searchParams.get('code') ?? '',
      callback.searchParams.get('state') ?? '',
    );
    assert.equal((await h.openLoginToken(token, app)).sub, `u=${PERSON.uuid}`);
  });

  test('a record naming no profile follows the deployment’s default', async () => {
    const { profile: _profile, ...unnamed } = loginSettings();
    const record = { ...app.record, providers: { singpass: unnamed } };
    provider = singpassProvider({ ...config(), defaultProfile: 'fapi2' }, h.context);
    assert.equal(new URL(await provider.start(record)).searchParams.get('client_id'), LOGIN_CLIENT);
    const legacyOnly = { ...app.record, providers: { singpass: { callbackUrl: CALLBACK } } };
    await assert.rejects(provider.start(legacyOnly), (error) => {
      refusedAs('provider_not_enabled')(error);
      assert.match((error as Error).message, /no Singpass registration recorded/);
      return true;
    });
  });

  test('the issuer’s metadata is discovered once an hour by the clock, and again for another issuer', async () => {
    const discoveries = () =>
      requests.filter(({ url }) => url.pathname.endsWith('openid-configuration')).length;
    await provider.start(app.record);
    await login();
    assert.equal(discoveries(), 1);
    // The fake issuer checks no assertion times, so the clock may run an hour ahead of it.
    await fakeLogin();
    assert.equal(discoveries(), 2);
    // The clock follows the system's, so leave room for the seconds the test itself takes.
    h.clock.advance(3590);
    await fakeLogin();
    assert.equal(discoveries(), 2);
    h.clock.advance(20);
    await fakeLogin();
    assert.equal(discoveries(), 3);
  });
});

describe('Singpass Login (FAPI 2.0): refused before anything is stored', () => {
  test('a deployment whose Singpass secret has no FAPI keys → provider_not_enabled', async () => {
    const { fapi: _fapi, ...legacyOnly } = relyingParty.secret;
    h.secrets.set(SINGPASS_SECRET, legacyOnly);
    await assert.rejects(provider.start(app.record), (error) => {
      refusedAs('provider_not_enabled')(error);
      assert.match((error as Error).message, /not configured for this deployment/);
      return true;
    });
  });

  test('a scope the registration was not given → Singpass’s invalid_scope, passed on', async () => {
    const record = { ...app.record, providers: { singpass: loginSettings({ scopes: ['email'] }) } };
    await assert.rejects(provider.start(record), (error) => {
      assert.ok(error instanceof UpstreamFailed);
      assert.equal(error.code, 'upstream_error_status');
      assert.equal(error.upstreamStatus, 400);
      assert.equal(error.refusal?.error, 'invalid_scope');
      return true;
    });
  });

  test('DPoP proofs are timed by the clock: one running behind finds its proof expired at the issuer', async () => {
    h.clock.advance(-150);
    await assert.rejects(provider.start(app.record), (error) => {
      assert.ok(error instanceof UpstreamFailed);
      assert.equal(error.refusal?.error, 'invalid_dpop_proof');
      return true;
    });
    h.clock.advance(150);
    assert.ok(await provider.start(app.record));
  });

  for (const [name, answer, failure] of [
    ['an unreachable issuer', 'unreachable', 'upstream_unreachable'],
    ['an issuer that never answers', HANG, 'upstream_timeout'],
    ['discovery answering an HTML page', text(200, '<html></html>'), 'upstream_bad_response'],
    // openid-client reads an OAuth error only from a 4xx token or PAR answer; any other failed answer is one it cannot use.
    ['discovery answering 503', json(503, { error: 'temporarily_unavailable' }), 'upstream_bad_response'],
  ] as const) {
    test(`${name} → ${failure}`, async () => {
      fault = (url) => {
        if (!url.pathname.endsWith('openid-configuration')) return undefined;
        if (answer === 'unreachable') throw new TypeError('fetch failed');
        return answer === HANG ? HANG : answer.clone();
      };
      await assert.rejects(provider.start(app.record), refusedAs(failure));
      // A failed discovery is not kept: the next call discovers afresh.
      fault = undefined;
      assert.ok(await provider.start(app.record));
    });
  }
});

describe('Singpass Login (FAPI 2.0): the state', () => {
  test('replayed → state_used, and the code is not sent again', async () => {
    const { code, state } = await login();
    await provider.finish(app.caller, code, state);
    const sent = requests.length;
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_used'));
    assert.equal(requests.length, sent);
  });

  test('expired by the clock → state_expired', async () => {
    const { code, state } = await login();
    h.clock.advance(600);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_expired'));
  });

  test('another app’s → invalid_state; a disabled app or a rotated-out key → invalid_api_key; the owner then completes', async () => {
    const { code, state } = await login();
    await assert.rejects(provider.finish(other.caller, code, state), refusedAs('invalid_state'));
    h.apps.put({ ...app.record, status: 'disabled' });
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('invalid_api_key'));
    h.apps.put(app.record);
    await assert.rejects(
      provider.finish({ appId: app.record.appId, keyHash: 'f'.repeat(64) }, code, state),
      refusedAs('invalid_api_key'),
    );
    h.apps.put({ ...app.record, providers: {} });
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('provider_not_enabled'));
    h.apps.put(app.record);
    assert.ok(await provider.finish(app.caller, code, state));
  });
});

describe('Singpass Login (FAPI 2.0): the code exchange', () => {
  test('a token endpoint refusing with 400 → upstream_error_status with its error, the state stays spent', async () => {
    const { code, state } = await login();
    fault = (url) => (url.pathname.endsWith('/token') ? json(400, { error: 'invalid_request' }) : undefined);
    await assert.rejects(provider.finish(app.caller, code, state), (error) => {
      refusedAs('upstream_error_status')(error);
      assert.equal((error as UpstreamFailed).upstreamStatus, 400);
      assert.equal((error as UpstreamFailed).refusal?.error, 'invalid_request');
      return true;
    });
    fault = undefined;
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_used'));
  });

  test('a token endpoint answering 503 → upstream_bad_response (openid-client reads no OAuth error from a 5xx)', async () => {
    const { code, state } = await login();
    fault = (url) => (url.pathname.endsWith('/token') ? json(503, { error: 'server_error' }) : undefined);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('upstream_bad_response'));
  });

  test('a token endpoint that never answers → upstream_timeout', async () => {
    const { code, state } = await login();
    fault = (url) => (url.pathname.endsWith('/token') ? HANG : undefined);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('upstream_timeout'));
  });

  test('a token endpoint answering garbage → upstream_bad_response', async () => {
    const { code, state } = await login();
    fault = (url) => (url.pathname.endsWith('/token') ? text(200, 'not json') : undefined);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('upstream_bad_response'));
  });

  test('a code the issuer does not know → upstream_error_status with invalid_grant', async () => {
    const { state } = await login();
    await assert.rejects(provider.finish(app.caller, 'not-the-code', state), (error) => {
      refusedAs('upstream_error_status')(error);
      assert.equal((error as UpstreamFailed).refusal?.error, 'invalid_grant');
      return true;
    });
  });

  test('after our FAPI keys rotate, the clients are rebuilt and the next login signs with the new key', async () => {
    await login();
    requests = [];
    const rotated = await singpassSecretOf();
    const secret = { ...relyingParty.secret, fapi: rotated.secret.fapi };
    const previous = relyingParty;
    relyingParty = { secret, jwks: { keys: [...previous.jwks.keys, ...rotated.jwks.keys] } };
    try {
      await issuer.expireClientKeyCaches();
      h.secrets.set(SINGPASS_SECRET, secret);
      const { code, state } = await login();
      assert.ok(await provider.finish(app.caller, code, state));
      const assertion = pushed().params.get('client_assertion') ?? '';
      const kid = JSON.parse(Buffer.from(assertion.split('.')[0] ?? '', 'base64url').toString()).kid;
      assert.equal(kid, secret.fapi?.signingKeys[0]?.kid);
    } finally {
      relyingParty = previous;
      await issuer.expireClientKeyCaches();
    }
  });
});

describe('Singpass Login (FAPI 2.0): ID tokens that must be refused', () => {
  test('the fake issuer is sound: its well-formed ID token is accepted', async () => {
    fake.flaw = 'none';
    const { code, state } = await fakeLogin();
    assert.equal(
      (await h.openLoginToken(await provider.finish(app.caller, code, state), app)).sub,
      'u=b6cb9308-733b-42b3-ad38-9b5afc890206',
    );
  });

  for (const [flaw, failure] of [
    ['unencrypted', 'upstream_bad_encryption'],
    ['gcm-encrypted', 'upstream_bad_encryption'],
    ['subject-not-uuid', 'upstream_bad_token'],
    ['bad-signature', 'upstream_bad_token'],
    ['wrong-nonce', 'upstream_bad_token'],
    ['wrong-aud', 'upstream_bad_token'],
    ['expired', 'upstream_bad_token'],
    ['token-500', 'upstream_bad_response'],
  ] as [IdTokenFlaw, string][]) {
    test(`an ID token that is ${flaw} → ${failure}`, async () => {
      fake.flaw = flaw;
      try {
        const { code, state } = await fakeLogin();
        await assert.rejects(provider.finish(app.caller, code, state), refusedAs(failure));
      } finally {
        fake.flaw = 'none';
      }
    });
  }
});
