import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';
import {
  CompactEncrypt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  jwtVerify,
  SignJWT,
} from 'jose';
import { AccessRefused, StateRefused, UpstreamFailed } from '../../shared/core/errors.ts';
import { uuidOf } from '../../shared/providers/singpass/id-token.ts';
import { type SingpassConfig, singpassProvider } from '../../shared/providers/singpass/singpass.ts';
import { MissingClientIdError } from '../../shared/secrets/client-id.ts';
import type { SingpassSecret } from '../../shared/secrets/singpass-keys.ts';
import {
  type Answer,
  HANG,
  type Harness,
  harness,
  json,
  newApp,
  SINGPASS_SECRET,
  scriptedFetch,
  singpassSecretOf,
  type TestApp,
  text,
} from '../support/singpass-myinfo-fixtures.ts';

/**
 * Singpass Login on the legacy (NDI OIDC) profile, in memory: the provider against a Singpass
 * that lives in a scripted fetch (discovery, JWKS, token), with the ports in memory.
 */

const ISSUER = 'https://stg-id.singpass.test';
const DISCOVERY = `${ISSUER}/.well-known/openid-configuration`;
const CLIENT_ID = 'secpass-legacy';
const CALLBACK = 'https://app.example/singpass/callback';
const UUID = 'B6CB9308-733B-42B3-AD38-9B5AFC890206';

type Flaw =
  | 'none'
  | 'unencrypted'
  | 'unknown-enc-kid'
  | 'stranger-signature'
  | 'wrong-nonce'
  | 'wrong-aud'
  | 'wrong-iss'
  | 'expired'
  | 'no-uuid';

/** Singpass as NDI OIDC describes it, checking our client assertion and encrypting to our published key. */
const fakeSingpass = async (
  relyingParty: { secret: SingpassSecret; jwks: { keys: JWK[] } },
  clock: Harness['clock'],
) => {
  let signing = await generateKeyPair('ES256', { extractable: true });
  let kid = 'sp-sig-1';
  const stranger = await generateKeyPair('ES256', { extractable: true });
  const nonces = new Map<string, string>();
  const assertions: Record<string, unknown>[] = [];
  const [ourSigning] = relyingParty.secret.signingKeys;
  const ourEncryption = relyingParty.jwks.keys.find((key) => key.use === 'enc');
  if (!ourSigning || !ourEncryption) throw new Error('no relying-party keys');
  const { d: _d, ...ourSigningPublic } = ourSigning;
  const assertionKey = await importJWK(ourSigningPublic, 'ES256');

  const fake = {
    flaw: 'none' as Flaw,
    /** When set, the next calls to a path answer this instead. */
    override: undefined as ((url: URL) => Answer | undefined) | undefined,
    assertions,
    discoveries: 0,
    jwksFetches: 0,
    rotate: async () => {
      signing = await generateKeyPair('ES256', { extractable: true });
      kid = `sp-sig-${randomBytes(4).toString('hex')}`;
    },
    /** The person logs in at the authorise URL; Singpass sends a code for that request's nonce. */
    authorise: (authoriseUrl: string): string => {
      const code = randomBytes(12).toString('hex');
      nonces.set(code, new URL(authoriseUrl).searchParams.get('nonce') ?? '');
      return code;
    },
    idToken: async (code: string, clientId: string): Promise<string> => {
      const now = clock.nowSeconds();
      const flaw = fake.flaw;
      const signed = await new SignJWT({ nonce: flaw === 'wrong-nonce' ? 'another' : nonces.get(code) })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(flaw === 'wrong-iss' ? 'https://evil.test' : ISSUER)
        .setAudience(flaw === 'wrong-aud' ? 'someone-else' : clientId)
        .setSubject(flaw === 'no-uuid' ? 's=S9812381D,u=not-a-uuid' : `s=S9812381D,u=${UUID},x=1`)
        .setIssuedAt(flaw === 'expired' ? now - 3600 : now)
        .setExpirationTime(flaw === 'expired' ? now - 600 : now + 600)
        .sign(flaw === 'stranger-signature' ? stranger.privateKey : signing.privateKey);
      if (flaw === 'unencrypted') return signed;
      return new CompactEncrypt(new TextEncoder().encode(signed))
        .setProtectedHeader({
          alg: 'ECDH-ES+A256KW',
          enc: 'A256CBC-HS512',
          kid: flaw === 'unknown-enc-kid' ? 'not-ours' : ourEncryption.kid,
          cty: 'JWT',
        })
        .encrypt(await importJWK(ourEncryption, 'ECDH-ES+A256KW'));
    },
  };

  const answer = async (url: URL, init: RequestInit): Promise<Answer> => {
    const overridden = fake.override?.(url);
    if (overridden) return overridden;
    if (url.pathname.endsWith('/.well-known/openid-configuration')) {
      fake.discoveries++;
      return json(200, {
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/auth`,
        token_endpoint: `${ISSUER}/token`,
        jwks_uri: `${ISSUER}/jwks`,
      });
    }
    if (url.pathname === '/jwks') {
      fake.jwksFetches++;
      return json(200, {
        keys: [{ ...(await exportJWK(signing.publicKey)), kid, use: 'sig', alg: 'ES256' }],
      });
    }
    if (url.pathname === '/token') {
      const form = new URLSearchParams(String(init.body));
      const assertion = form.get('client_assertion') ?? '';
      const { payload } = await jwtVerify(assertion, assertionKey, {
        issuer: form.get('client_id') ?? '',
        audience: ISSUER,
        currentDate: new Date(clock.nowSeconds() * 1000),
      });
      assertions.push({
        ...payload,
        header: decodeProtectedHeader(assertion),
        form: Object.fromEntries(form),
      });
      return json(200, {
        access_token: 'at',
        token_type: 'Bearer',
        id_token: await fake.idToken(form.get('code') ?? '', form.get('client_id') ?? ''),
      });
    }
    return json(404, { error: 'not_found' });
  };
  return { fake, answer };
};

const config = (overrides: Partial<SingpassConfig> = {}): SingpassConfig => ({
  discoveryUrl: DISCOVERY,
  timeoutMs: 300,
  secret: { secretId: SINGPASS_SECRET, legacyClientId: { value: CLIENT_ID, setting: 'SINGPASS_CLIENT_ID' } },
  fapi: { issuer: 'http://127.0.0.1:9/fapi', timeoutMs: 300 },
  defaultProfile: 'legacy',
  ...overrides,
});

let h: Harness;
let singpass: Awaited<ReturnType<typeof fakeSingpass>>['fake'];
let provider: ReturnType<typeof singpassProvider>;
let app: TestApp;
let other: TestApp;
let relyingParty: Awaited<ReturnType<typeof singpassSecretOf>>;
let fetch: ReturnType<typeof scriptedFetch>;

const setUp = async (configured: Partial<SingpassConfig> = {}) => {
  relyingParty = await singpassSecretOf();
  let answer: (url: URL, init: RequestInit) => Promise<Answer> = async () => json(500, {});
  fetch = scriptedFetch((url, init) => answer(url, init));
  h = await harness({ fetch, secrets: { [SINGPASS_SECRET]: relyingParty.secret } });
  const built = await fakeSingpass(relyingParty, h.clock);
  singpass = built.fake;
  answer = built.answer;
  app = await newApp('app_one', { singpass: { callbackUrl: CALLBACK } });
  other = await newApp('app_two', { singpass: { callbackUrl: 'https://two.example/cb' } });
  h.apps.put(app.record);
  h.apps.put(other.record);
  provider = singpassProvider(config(configured), h.context);
};

/** authReqUri → the person logs in → the code and state the app's callback receives. */
const login = async (who: TestApp = app) => {
  const url = await provider.start(who.record);
  return {
    url: new URL(url),
    code: singpass.authorise(url),
    state: new URL(url).searchParams.get('state') ?? '',
  };
};

const refusedAs = (code: string) => (error: unknown) => {
  assert.ok(
    error instanceof StateRefused || error instanceof AccessRefused || error instanceof UpstreamFailed,
    String(error),
  );
  assert.equal(error.code, code);
  return true;
};

beforeEach(() => setUp());

describe('Singpass Login (legacy): the happy path', () => {
  test('authReqUri: openid, code, our client id, the app callback, a fresh state and nonce, saved for the app', async () => {
    const { url, state } = await login();
    assert.equal(`${url.origin}${url.pathname}`, `${ISSUER}/auth`);
    assert.equal(url.searchParams.get('scope'), 'openid');
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(url.searchParams.get('redirect_uri'), CALLBACK);
    assert.match(state, /^[A-Za-z0-9_-]{43}$/);
    const saved = h.states.peek(state);
    assert.equal(saved?.provider, 'singpass');
    assert.equal(saved?.appId, app.record.appId);
    assert.equal(saved?.redirectUri, CALLBACK);
    assert.equal(saved?.provider === 'singpass' && saved.nonce, url.searchParams.get('nonce'));
    assert.equal(saved?.expiresAt, h.clock.nowSeconds() + 600);
    assert.notEqual((await login()).state, state);
  });

  test('userInfo: a login token naming the person by UUID only, for this app', async () => {
    const { code, state } = await login();
    const claims = await h.openLoginToken(await provider.finish(app.caller, code, state), app);
    assert.equal(claims.sub, `u=${UUID.toLowerCase()}`);
    assert.equal(claims.exp, h.clock.nowSeconds() + 300);
  });

  test('the token call: the saved redirect_uri, and a private_key_jwt assertion timed by the clock', async () => {
    h.clock.advance(-90);
    const { code, state } = await login();
    await provider.finish(app.caller, code, state);
    const [assertion] = singpass.assertions;
    const now = h.clock.nowSeconds();
    assert.equal(assertion?.sub, CLIENT_ID);
    assert.equal(assertion?.iat, now);
    assert.equal(assertion?.exp, now + 60);
    assert.match(String(assertion?.jti), /^[0-9a-f-]{36}$/);
    assert.deepEqual(assertion?.header, {
      alg: 'ES256',
      kid: relyingParty.secret.signingKeys[0]?.kid,
      typ: 'JWT',
    });
    const form = assertion?.form as Record<string, string>;
    assert.equal(form.redirect_uri, CALLBACK);
    assert.equal(form.grant_type, 'authorization_code');
    assert.equal(form.client_assertion_type, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  });

  test('without a configured client id, an older secret’s id is used; with neither, none is guessed', async () => {
    await setUp({
      secret: {
        secretId: SINGPASS_SECRET,
        legacyClientId: { value: undefined, setting: 'SINGPASS_CLIENT_ID' },
      },
    });
    await assert.rejects(provider.start(app.record), MissingClientIdError);
    h.secrets.set(SINGPASS_SECRET, { ...relyingParty.secret, clientId: 'from-secret' });
    await assert.rejects(provider.start(app.record), MissingClientIdError);
    // The secret's id is read where the secret is: at the token call.
    const url = new URL(await singpassProvider(config(), h.context).start(app.record));
    const state = url.searchParams.get('state') ?? '';
    const code = singpass.authorise(url.toString());
    await provider.finish(app.caller, code, state);
    assert.equal(
      (singpass.assertions[0]?.form as Record<string, string> | undefined)?.client_id,
      'from-secret',
    );
  });
});

describe('Singpass Login (legacy): discovery', () => {
  test('is fetched once and kept an hour by the clock, then fetched again', async () => {
    await login();
    await login();
    assert.equal(singpass.discoveries, 1);
    // The clock follows the system's, so leave room for the seconds the test itself takes.
    h.clock.advance(3590);
    await login();
    assert.equal(singpass.discoveries, 1);
    h.clock.advance(20);
    await login();
    assert.equal(singpass.discoveries, 2);
  });

  test('a changed discovery URL is fetched afresh by the same instance', async () => {
    const changing = { ...config(), discoveryUrl: DISCOVERY };
    provider = singpassProvider(changing, h.context);
    await login();
    changing.discoveryUrl = `${DISCOVERY}?attempt=2`;
    await login();
    assert.equal(singpass.discoveries, 2);
  });

  for (const [name, answer, failure] of [
    ['an error status', json(503, { error: 'down' }), 'upstream_error_status'],
    ['an HTML page', text(200, '<html>busy</html>'), 'upstream_bad_response'],
    ['a document without endpoints', json(200, { issuer: ISSUER }), 'upstream_bad_response'],
  ] as const) {
    test(`${name} → ${failure}, no state saved, and the failure is not cached`, async () => {
      singpass.override = (url) =>
        url.pathname.endsWith('openid-configuration') ? answer.clone() : undefined;
      await assert.rejects(provider.start(app.record), refusedAs(failure));
      singpass.override = undefined;
      const { code, state } = await login();
      assert.ok(await provider.finish(app.caller, code, state));
    });
  }

  test('unreachable and hung discovery → upstream_unreachable and upstream_timeout', async () => {
    singpass.override = () => {
      throw new TypeError('fetch failed');
    };
    await assert.rejects(provider.start(app.record), refusedAs('upstream_unreachable'));
    singpass.override = () => HANG;
    await assert.rejects(provider.start(app.record), refusedAs('upstream_timeout'));
  });
});

describe('Singpass Login (legacy): the state', () => {
  test('unknown → invalid_state', async () => {
    await assert.rejects(provider.finish(app.caller, 'code', 'no-such-state'), refusedAs('invalid_state'));
  });

  test('replayed → state_used, and the code is not sent again', async () => {
    const { code, state } = await login();
    await provider.finish(app.caller, code, state);
    const calls = fetch.calls.length;
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_used'));
    assert.equal(fetch.calls.length, calls);
  });

  test('expired by the clock → state_expired, though nothing deleted it', async () => {
    const { code, state } = await login();
    h.clock.advance(600);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_expired'));
  });

  test('another app’s → invalid_state, and it stays usable by its own app', async () => {
    const { code, state } = await login();
    await assert.rejects(provider.finish(other.caller, code, state), refusedAs('invalid_state'));
    assert.ok(await provider.finish(app.caller, code, state));
  });

  test('a state of another product → invalid_state', async () => {
    await h.states.save({
      state: 'myinfo-state',
      appId: app.record.appId,
      provider: 'myinfo',
      expiresAt: h.clock.nowSeconds() + 600,
      redirectUri: CALLBACK,
      attributes: 'uinfin',
    });
    await assert.rejects(provider.finish(app.caller, 'code', 'myinfo-state'), refusedAs('invalid_state'));
  });
});

describe('Singpass Login (legacy): a call refused for its app leaves the state', () => {
  test('a disabled app → invalid_api_key; enabled again, the same code and state go through', async () => {
    const { code, state } = await login();
    h.apps.put({ ...app.record, status: 'disabled' });
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('invalid_api_key'));
    h.apps.put(app.record);
    assert.ok(await provider.finish(app.caller, code, state));
  });

  test('a rotated-out key → invalid_api_key; the app’s current key completes the login', async () => {
    const { code, state } = await login();
    const stale = { appId: app.record.appId, keyHash: '0'.repeat(64) };
    await assert.rejects(provider.finish(stale, code, state), refusedAs('invalid_api_key'));
    const deleted = { ...app.caller, appId: 'app_gone' };
    await assert.rejects(provider.finish(deleted, code, state), refusedAs('invalid_api_key'));
    assert.ok(await provider.finish(app.caller, code, state));
  });

  test('Singpass switched off for the app → provider_not_enabled, at start and mid-flow', async () => {
    const { code, state } = await login();
    const without = { ...app.record, providers: {} };
    await assert.rejects(provider.start(without), refusedAs('provider_not_enabled'));
    h.apps.put(without);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('provider_not_enabled'));
    h.apps.put(app.record);
    assert.ok(await provider.finish(app.caller, code, state));
  });
});

describe('Singpass Login (legacy): what Singpass answers at the token call', () => {
  const failingToken = async (answer: () => Answer, failure: string) => {
    const { code, state } = await login();
    singpass.override = (url) => (url.pathname === '/token' ? answer() : undefined);
    await assert.rejects(provider.finish(app.caller, code, state), (error) => {
      refusedAs(failure)(error);
      assert.match((error as Error).message, /^Singpass /);
      return true;
    });
    singpass.override = undefined;
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_used'));
  };

  test('an error status → upstream_error_status with its status; the state stays spent', async () => {
    const { code, state } = await login();
    singpass.override = (url) =>
      url.pathname === '/token' ? json(400, { error: 'invalid_grant' }) : undefined;
    await assert.rejects(provider.finish(app.caller, code, state), (error) => {
      assert.ok(error instanceof UpstreamFailed);
      assert.equal(error.code, 'upstream_error_status');
      assert.equal(error.upstreamStatus, 400);
      return true;
    });
  });

  test('no answer in time → upstream_timeout', () => failingToken(() => HANG, 'upstream_timeout'));
  test('nothing listening → upstream_unreachable', () =>
    failingToken(() => {
      throw new TypeError('fetch failed');
    }, 'upstream_unreachable'));
  test('an HTML page → upstream_bad_response', () =>
    failingToken(() => text(200, '<p>hi</p>'), 'upstream_bad_response'));
  test('JSON without an ID token → upstream_bad_response', () =>
    failingToken(() => json(200, { access_token: 'at' }), 'upstream_bad_response'));

  for (const [flaw, failure] of [
    ['unencrypted', 'upstream_bad_encryption'],
    ['unknown-enc-kid', 'upstream_bad_encryption'],
    ['stranger-signature', 'upstream_bad_token'],
    ['wrong-nonce', 'upstream_bad_token'],
    ['wrong-aud', 'upstream_bad_token'],
    ['wrong-iss', 'upstream_bad_token'],
    ['expired', 'upstream_bad_token'],
    ['no-uuid', 'upstream_bad_token'],
  ] as const) {
    test(`an ID token that is ${flaw} → ${failure}`, async () => {
      const { code, state } = await login();
      singpass.flaw = flaw;
      await assert.rejects(provider.finish(app.caller, code, state), refusedAs(failure));
    });
  }

  test('the ID token is checked against the clock, not the system’s', async () => {
    // Singpass and we agree on a time an hour behind the system's: by the system, the token has expired.
    h.clock.advance(-3600);
    const { code, state } = await login();
    assert.ok(await provider.finish(app.caller, code, state));
  });

  test('after Singpass rotates its signing key, the JWKS is fetched again once and the login goes through', async () => {
    await provider.finish(app.caller, ...(await login().then(({ code, state }) => [code, state] as const)));
    assert.equal(singpass.jwksFetches, 1);
    await singpass.rotate();
    const { code, state } = await login();
    assert.ok(await provider.finish(app.caller, code, state));
    assert.equal(singpass.jwksFetches, 2);
  });
});

describe('the person’s UUID', () => {
  test('is read from NDI’s s=…,u=… in any position, or from a bare UUID, lower-cased', () => {
    assert.equal(uuidOf(`s=S9812381D,u=${UUID}`), UUID.toLowerCase());
    assert.equal(uuidOf(`u=${UUID},s=S9812381D`), UUID.toLowerCase());
    assert.equal(uuidOf(UUID), UUID.toLowerCase());
  });

  test('anything else is not Singpass’s token', () => {
    for (const sub of [undefined, 42, 's=S9812381D', `s=S9812381D,uu=${UUID}`, `${UUID}x`]) {
      assert.throws(() => uuidOf(sub), refusedAs('upstream_bad_token'));
    }
  });
});
