import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createPkiSignVerifier } from '@secpass/simulators/pki-sign-verifier';
import {
  headlessAuthorize,
  type SingpassFapiIssuer,
  startSingpassFapiIssuer,
} from '@secpass/simulators/singpass-fapi';
import { CompactEncrypt, CompactSign, SignJWT } from 'jose';
import type { MyinfoPersonSettings } from '../../shared/apps/app-record.ts';
import { AccessRefused, StateRefused, UpstreamFailed } from '../../shared/core/errors.ts';
import { type MyinfoConfig, myinfoProvider } from '../../shared/providers/myinfo/myinfo.ts';
import { MissingClientIdError } from '../../shared/secrets/client-id.ts';
import {
  type Answer,
  HANG,
  type Harness,
  harness,
  json,
  MYINFO_SECRET,
  newApp,
  SINGPASS_SECRET,
  scriptedFetch,
  serveJwks,
  singpassSecretOf,
  type TestApp,
  text,
} from '../support/singpass-myinfo-fixtures.ts';

/**
 * Myinfo in memory: v3 (the PKI_SIGN protocol Myinfo Business shares, `pki-oauth`, and the state
 * claim every product shares) against a Myinfo that lives in a scripted fetch and checks our
 * signatures as the gateway does; and v5 through Singpass FAPI 2.0 against the issuer simulator
 * on loopback.
 */

const BASE = 'https://myinfo.test/com/v3';
const CLIENT_ID = 'STG2-SECPASS-UNIT';
const CLIENT_SECRET = 'unit-test-secret';
const CALLBACK = 'https://app.example/myinfo/callback';
const UINFIN = 'S9812381D';
const PERSON = { uinfin: { value: UINFIN }, name: { value: 'TAN XIAO HUI' } };
const MYINFO_CLIENT = 'My1nf0C11entF0rUn1tTest500000001';

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject, type: 'pkcs8' | 'spki') => key.export({ type, format: 'pem' }).toString();
const ours = rsa();
const myinfosKeys = rsa();
const stranger = rsa();

const signThenEncrypt = async (payload: Uint8Array, signer: KeyObject, recipient: KeyObject) => {
  const jws = await new CompactSign(payload).setProtectedHeader({ alg: 'RS256' }).sign(signer);
  return new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM' })
    .encrypt(recipient);
};

type Fault = (url: URL) => Answer | Promise<Answer> | undefined;

/** Myinfo v3 as its gateway behaves: PKI_SIGN checked on both calls, a JWT access token, person data signed then encrypted. */
const fakeMyinfo = () => {
  const verifier = createPkiSignVerifier({
    publicKeyFor: (appId) => (appId === CLIENT_ID ? ours.publicKey : undefined),
  });
  const myinfo = {
    fault: undefined as Fault | undefined,
    /** The token's subject, when a test wants another. */
    subject: UINFIN,
    tokenSigner: myinfosKeys.privateKey,
    personPayload: new TextEncoder().encode(JSON.stringify(PERSON)) as Uint8Array,
    personSigner: myinfosKeys.privateKey,
    personRecipient: ours.publicKey,
    requests: [] as { url: URL; form?: URLSearchParams }[],
  };
  const answer = async (url: URL, init: RequestInit): Promise<Answer> => {
    const headers = new Headers(init.headers);
    const faulted = await myinfo.fault?.(url);
    if (faulted) return faulted;
    if (init.method === 'POST' && url.pathname === '/com/v3/token') {
      const form = new URLSearchParams(String(init.body));
      myinfo.requests.push({ url, form });
      verifier.verify({
        authorization: headers.get('authorization') ?? undefined,
        method: 'POST',
        url: `${url.origin}${url.pathname}`,
        params: new Map(form),
      });
      if (form.get('client_secret') !== CLIENT_SECRET) return json(401, { error: 'invalid_client' });
      const accessToken = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setSubject(myinfo.subject)
        .setExpirationTime('30m')
        .sign(myinfo.tokenSigner);
      return json(200, { access_token: accessToken, token_type: 'Bearer' });
    }
    const person = /^\/com\/v3\/person\/([^/]+)\/$/.exec(url.pathname);
    if (init.method === 'GET' && person) {
      myinfo.requests.push({ url });
      const authorization = headers.get('authorization') ?? '';
      const signed = verifier.verify({
        authorization,
        method: 'GET',
        url: `${url.origin}${url.pathname}`,
        params: new Map(url.searchParams),
      });
      if (!signed.bearer) return json(401, { message: 'no bearer' });
      return text(
        200,
        await signThenEncrypt(myinfo.personPayload, myinfo.personSigner, myinfo.personRecipient),
      );
    }
    return json(404, { message: 'not found' });
  };
  return { myinfo, answer };
};

let relyingParty: Awaited<ReturnType<typeof singpassSecretOf>>;
let jwks: Awaited<ReturnType<typeof serveJwks>>;
let issuer: SingpassFapiIssuer;

before(async () => {
  relyingParty = await singpassSecretOf();
  jwks = await serveJwks(() => relyingParty.jwks);
  issuer = await startSingpassFapiIssuer({
    port: 0,
    clients: [
      {
        clientId: MYINFO_CLIENT,
        appType: 'myinfo',
        redirectUris: [CALLBACK],
        jwksUri: jwks.url,
        scopes: ['uinfin', 'name'],
      },
    ],
  });
});
after(async () => {
  await issuer?.stop();
  await jwks?.stop();
});

const v3Settings: MyinfoPersonSettings = {
  callbackUrl: CALLBACK,
  attributes: ['uinfin', 'name'],
  purpose: 'Unit testing',
};
const fapiSettings: MyinfoPersonSettings = {
  callbackUrl: CALLBACK,
  profile: 'fapi2',
  fapi2: { clientId: MYINFO_CLIENT, scopes: ['uinfin', 'name'] },
};

let h: Harness;
let myinfo: ReturnType<typeof fakeMyinfo>['myinfo'];
let requests: URL[];
let fapiFault: Fault | undefined;
let app: TestApp;
let other: TestApp;
let configured: { -readonly [K in keyof MyinfoConfig]: MyinfoConfig[K] };
let provider: ReturnType<typeof myinfoProvider>;

const setUp = async (settings: MyinfoPersonSettings = v3Settings) => {
  const fake = fakeMyinfo();
  myinfo = fake.myinfo;
  requests = [];
  fapiFault = undefined;
  const fetch = scriptedFetch(async (url, init) => {
    requests.push(url);
    if (url.host === 'myinfo.test') return fake.answer(url, init);
    return (await fapiFault?.(url)) ?? globalThis.fetch(url, init);
  });
  h = await harness({
    fetch,
    secrets: {
      [SINGPASS_SECRET]: relyingParty.secret,
      [MYINFO_SECRET]: {
        clientSecret: CLIENT_SECRET,
        privateKeys: [pem(ours.privateKey, 'pkcs8')],
        upstreamCertificates: [pem(myinfosKeys.publicKey, 'spki')],
      },
    },
  });
  app = await newApp('app_myinfo', { myinfo: settings });
  other = await newApp('app_other', { myinfo: settings });
  h.apps.put(app.record);
  h.apps.put(other.record);
  configured = {
    v3: {
      baseUrl: `${BASE}/`,
      clientId: { value: CLIENT_ID, setting: 'MYINFO_CLIENT_ID' },
      secretId: MYINFO_SECRET,
    },
    fapi: { issuer: issuer.issuer, timeoutMs: 1000 },
    singpassSecret: {
      secretId: SINGPASS_SECRET,
      legacyClientId: { value: undefined, setting: 'SINGPASS_CLIENT_ID' },
    },
    defaultProfile: 'legacy',
  };
  provider = myinfoProvider(configured, h.context);
};

/** init → the person consents at Myinfo → the code and state the app's callback receives. */
const consent = async (who: TestApp = app) => {
  const url = new URL(await provider.start(who.record));
  return {
    url,
    code: `code-${url.searchParams.get('state')?.slice(0, 8)}`,
    state: url.searchParams.get('state') ?? '',
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

const decoded = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));

describe('Myinfo v3: the happy path', () => {
  beforeEach(() => setUp());

  test('init: Myinfo’s authorise URL with our client id, the app’s attributes, purpose and callback, and a fresh state', async () => {
    const { url, state } = await consent();
    assert.equal(`${url.origin}${url.pathname}`, `${BASE}/authorise`);
    assert.equal(url.searchParams.get('client_id'), CLIENT_ID);
    assert.equal(url.searchParams.get('attributes'), 'uinfin,name');
    assert.equal(url.searchParams.get('purpose'), 'Unit testing');
    assert.equal(url.searchParams.get('redirect_uri'), CALLBACK);
    const saved = h.states.peek(state);
    assert.equal(saved?.provider, 'myinfo');
    assert.equal(saved?.provider === 'myinfo' && saved.attributes, 'uinfin,name');
    assert.equal(saved?.expiresAt, h.clock.nowSeconds() + 600);
    assert.equal(saved?.provider === 'myinfo' && saved.fapi, undefined);
  });

  test('token: both calls PKI_SIGN-signed; the person data, byte for byte as Myinfo signed it, sealed for the app', async () => {
    const { code, state } = await consent();
    const token = await provider.finish(app.caller, code, state);
    assert.deepEqual(Buffer.from(await h.openDataToken(token, app)), Buffer.from(myinfo.personPayload));
    const [exchange, person] = myinfo.requests;
    assert.equal(exchange?.form?.get('code'), code);
    assert.equal(exchange?.form?.get('state'), state);
    assert.equal(exchange?.form?.get('redirect_uri'), CALLBACK);
    assert.equal(exchange?.form?.get('grant_type'), 'authorization_code');
    assert.equal(person?.url.pathname, `/com/v3/person/${UINFIN}/`);
    assert.equal(person?.url.searchParams.get('attributes'), 'uinfin,name');
    assert.equal(person?.url.searchParams.has('subentity'), false);
    await assert.rejects(h.openDataToken(token, other), 'another app cannot open it');
  });

  test('an app’s subentity goes with the data call', async () => {
    await setUp({ ...v3Settings, subentity: 'PLATFORM1' });
    const { code, state } = await consent();
    await provider.finish(app.caller, code, state);
    assert.equal(myinfo.requests[1]?.url.searchParams.get('subentity'), 'PLATFORM1');
  });

  test('no client id configured → a typed error naming the setting, never a guessed id', async () => {
    configured.v3 = { ...configured.v3, clientId: { value: undefined, setting: 'MYINFO_CLIENT_ID' } };
    provider = myinfoProvider(configured, h.context);
    await assert.rejects(provider.start(app.record), MissingClientIdError);
  });
});

describe('Myinfo v3: the state (the rules every product shares)', () => {
  beforeEach(() => setUp());

  test('unknown → invalid_state', async () => {
    await assert.rejects(provider.finish(app.caller, 'code', 'unknown-state'), refusedAs('invalid_state'));
  });

  test('used → state_used, and Myinfo is not called again', async () => {
    const { code, state } = await consent();
    await provider.finish(app.caller, code, state);
    const calls = requests.length;
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_used'));
    assert.equal(requests.length, calls);
  });

  test('expired by the clock → state_expired', async () => {
    const { code, state } = await consent();
    h.clock.advance(599);
    h.clock.advance(1);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_expired'));
  });

  test('another app’s → invalid_state, and its own app still completes', async () => {
    const { code, state } = await consent();
    await assert.rejects(provider.finish(other.caller, code, state), refusedAs('invalid_state'));
    assert.ok(await provider.finish(app.caller, code, state));
  });

  test('another product’s → invalid_state', async () => {
    await h.states.save({
      state: 'a-singpass-state',
      appId: app.record.appId,
      provider: 'singpass',
      expiresAt: h.clock.nowSeconds() + 600,
      redirectUri: CALLBACK,
      nonce: 'n',
    });
    await assert.rejects(provider.finish(app.caller, 'code', 'a-singpass-state'), refusedAs('invalid_state'));
  });
});

describe('Myinfo v3: a call refused for its app leaves the state', () => {
  beforeEach(() => setUp());

  test('a disabled app → invalid_api_key; enabled again, the same code and state go through', async () => {
    const { code, state } = await consent();
    h.apps.put({ ...app.record, status: 'disabled' });
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('invalid_api_key'));
    h.apps.put(app.record);
    assert.ok(await provider.finish(app.caller, code, state));
  });

  test('a rotated-out key → invalid_api_key; the current key completes', async () => {
    const { code, state } = await consent();
    await assert.rejects(
      provider.finish({ appId: app.record.appId, keyHash: 'a'.repeat(64) }, code, state),
      refusedAs('invalid_api_key'),
    );
    assert.ok(await provider.finish(app.caller, code, state));
  });

  test('Myinfo not enabled → provider_not_enabled, at init and mid-flow', async () => {
    const { code, state } = await consent();
    const without = { ...app.record, providers: {} };
    await assert.rejects(provider.start(without), (error) => {
      refusedAs('provider_not_enabled')(error);
      assert.equal((error as Error).message, 'Myinfo is not enabled for this app.');
      return true;
    });
    h.apps.put(without);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('provider_not_enabled'));
    h.apps.put(app.record);
    assert.ok(await provider.finish(app.caller, code, state));
  });

  test('a record holding only its FAPI registration, on the legacy profile → provider_not_enabled', async () => {
    const record = {
      ...app.record,
      providers: { myinfo: { callbackUrl: CALLBACK, profile: 'legacy' as const, fapi2: fapiSettings.fapi2 } },
    };
    await assert.rejects(provider.start(record), refusedAs('provider_not_enabled'));
  });
});

describe('Myinfo v3: what Myinfo answers', () => {
  beforeEach(() => setUp());

  const failing = async (fault: Fault, failure: string, arrange: () => void = () => undefined) => {
    const { code, state } = await consent();
    myinfo.fault = fault;
    arrange();
    await assert.rejects(provider.finish(app.caller, code, state), (error) => {
      refusedAs(failure)(error);
      assert.match((error as Error).message, /^Myinfo /);
      return true;
    });
    myinfo.fault = undefined;
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_used'));
  };
  const at =
    (path: 'token' | 'person', answer: () => Answer): Fault =>
    (url) =>
      url.pathname.includes(`/${path}`) ? answer() : undefined;

  test('token: an error status → upstream_error_status', () =>
    failing(
      at('token', () => json(500, { message: 'down' })),
      'upstream_error_status',
    ));
  test('token: no answer in time → upstream_timeout', () =>
    failing(
      at('token', () => HANG),
      'upstream_timeout',
    ));
  test('token: nothing listening → upstream_unreachable', () =>
    failing(
      at('token', () => {
        throw new TypeError('fetch failed');
      }),
      'upstream_unreachable',
    ));
  test('token: garbage → upstream_bad_response', () =>
    failing(
      at('token', () => text(200, '<html>')),
      'upstream_bad_response',
    ));
  test('token: JSON without an access token → upstream_bad_response', () =>
    failing(
      at('token', () => json(200, { token_type: 'Bearer' })),
      'upstream_bad_response',
    ));
  test('token: an access token signed by someone else → upstream_bad_token', () =>
    failing(
      () => undefined,
      'upstream_bad_token',
      () => {
        myinfo.tokenSigner = stranger.privateKey;
      },
    ));
  test('token: an access token for something that is no NRIC/FIN → upstream_bad_token', () =>
    failing(
      () => undefined,
      'upstream_bad_token',
      () => {
        myinfo.subject = '../admin';
      },
    ));
  test('person: an error status → upstream_error_status', () =>
    failing(
      at('person', () => json(503, { message: 'busy' })),
      'upstream_error_status',
    ));
  test('person: no answer in time → upstream_timeout', () =>
    failing(
      at('person', () => HANG),
      'upstream_timeout',
    ));
  test('person: garbage → upstream_bad_encryption', () =>
    failing(
      at('person', () => text(200, 'not a JWE')),
      'upstream_bad_encryption',
    ));
  test('person: encrypted to another key → upstream_bad_encryption', () =>
    failing(
      () => undefined,
      'upstream_bad_encryption',
      () => {
        myinfo.personRecipient = stranger.publicKey;
      },
    ));
  test('person: signed by another key → upstream_bad_signature', () =>
    failing(
      () => undefined,
      'upstream_bad_signature',
      () => {
        myinfo.personSigner = stranger.privateKey;
      },
    ));
  test('person: a signed payload that is not JSON → upstream_bad_response', () =>
    failing(
      () => undefined,
      'upstream_bad_response',
      () => {
        myinfo.personPayload = new TextEncoder().encode('not json');
      },
    ));
  test('person: a signed payload that is not an object → upstream_bad_response', () =>
    failing(
      () => undefined,
      'upstream_bad_response',
      () => {
        myinfo.personPayload = new TextEncoder().encode('[1,2]');
      },
    ));
});

describe('Myinfo v5 through Singpass FAPI 2.0', () => {
  beforeEach(() => setUp(fapiSettings));

  /** init → the issuer's headless login and consent → the code and state at the app's callback. */
  const fapiConsent = async () => {
    const url = new URL(await provider.start(app.record));
    const callback = await headlessAuthorize(url.toString(), { nric: UINFIN });
    return {
      url,
      code: callback.searchParams.get('code') ?? '',
      state: callback.searchParams.get('state') ?? '',
    };
  };

  test('init: a PAR as the app’s Myinfo registration, openid plus its catalog scopes, no purpose and no login context', async () => {
    const { url, state } = await fapiConsent();
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.equal(url.searchParams.get('client_id'), MYINFO_CLIENT);
    const saved = h.states.peek(state);
    assert.equal(saved?.provider, 'myinfo');
    assert.equal(saved?.provider === 'myinfo' && saved.attributes, 'uinfin,name');
    assert.equal(saved?.provider === 'myinfo' && saved.fapi?.clientId, MYINFO_CLIENT);
  });

  test('token: the userinfo JWT’s claims, as Myinfo v5 signed them, sealed for the app', async () => {
    const { code, state } = await fapiConsent();
    const payload = decoded(await h.openDataToken(await provider.finish(app.caller, code, state), app));
    assert.match(payload.sub, /^[0-9a-f-]{36}$/);
    assert.equal(payload.person_info.uinfin.value, UINFIN);
    assert.ok(payload.person_info.name);
    assert.equal(myinfo.requests.length, 0, 'Myinfo v3 is not called');
  });

  test('the state says which protocol: a flow started on FAPI 2.0 finishes there after the app moves back to v3', async () => {
    const { code, state } = await fapiConsent();
    h.apps.put({ ...app.record, providers: { myinfo: { ...v3Settings, profile: 'legacy' } } });
    const payload = decoded(await h.openDataToken(await provider.finish(app.caller, code, state), app));
    assert.equal(payload.person_info.uinfin.value, UINFIN);
  });

  test('…and one started on v3 finishes on v3 after the app moves to FAPI 2.0', async () => {
    await setUp({ ...v3Settings, profile: 'legacy', fapi2: fapiSettings.fapi2 });
    const { code, state } = await consent();
    h.apps.put({
      ...app.record,
      providers: { myinfo: { ...v3Settings, profile: 'fapi2', fapi2: fapiSettings.fapi2 } },
    });
    assert.ok(await provider.finish(app.caller, code, state));
    assert.equal(myinfo.requests.length, 2);
  });

  test('an app following a fapi2 default without a Myinfo registration → provider_not_enabled', async () => {
    configured.defaultProfile = 'fapi2';
    const record = { ...app.record, providers: { myinfo: v3Settings } };
    await assert.rejects(provider.start(record), (error) => {
      refusedAs('provider_not_enabled')(error);
      assert.match((error as Error).message, /^Myinfo under Singpass FAPI 2.0/);
      return true;
    });
  });

  test('userinfo refused with a WWW-Authenticate challenge → upstream_error_status naming Singpass’s error', async () => {
    const { code, state } = await fapiConsent();
    fapiFault = (url) =>
      url.pathname.endsWith('/userinfo')
        ? new Response(null, {
            status: 401,
            headers: { 'WWW-Authenticate': 'DPoP error="invalid_token", error_description="token expired"' },
          })
        : undefined;
    await assert.rejects(provider.finish(app.caller, code, state), (error) => {
      refusedAs('upstream_error_status')(error);
      assert.equal((error as UpstreamFailed).upstreamStatus, 401);
      assert.equal((error as UpstreamFailed).refusal?.error, 'invalid_token');
      assert.match((error as Error).message, /^Myinfo /);
      return true;
    });
  });

  test('userinfo in JSON, not the signed and encrypted JWT → upstream_bad_token', async () => {
    const { code, state } = await fapiConsent();
    fapiFault = (url) => (url.pathname.endsWith('/userinfo') ? json(200, { sub: 'x' }) : undefined);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('upstream_bad_token'));
  });

  test('userinfo that never comes → upstream_timeout', async () => {
    const { code, state } = await fapiConsent();
    fapiFault = (url) => (url.pathname.endsWith('/userinfo') ? HANG : undefined);
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('upstream_timeout'));
  });

  test('a replayed state → state_used, and the code is not sent again', async () => {
    const { code, state } = await fapiConsent();
    await provider.finish(app.caller, code, state);
    const calls = requests.length;
    await assert.rejects(provider.finish(app.caller, code, state), refusedAs('state_used'));
    assert.equal(requests.length, calls);
  });
});
