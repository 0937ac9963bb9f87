import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  SGVERIFY_PERSONAS,
  type SgVerifySimulator,
  startSgVerifySimulator,
} from '@secpass/simulators/sgverify';
import { compactDecrypt, compactVerify, importJWK, type JWK } from 'jose';
import { statusOf } from '../../infra/error-answers.ts';
import { newAppKeyPair, newSigningJwk } from '../../local/dev-keys.ts';
import { hashApiKey } from '../../shared/apps/api-key.ts';
import type { AppRecord } from '../../shared/apps/app-record.ts';
import type { Caller } from '../../shared/apps/caller.ts';
import { newStateValue } from '../../shared/core/auth-state.ts';
import {
  AccessRefused,
  CodeRejected,
  type DomainError,
  type ErrorCode,
  InvalidInput,
  StateRefused,
  TooManyAttempts,
  UpstreamFailed,
} from '../../shared/core/errors.ts';
import { flowContext } from '../../shared/core/flow-context.ts';
import type { Fetch } from '../../shared/core/ports.ts';
import {
  FAILED_CALLBACK_LIMIT,
  FAILURE_WINDOW_SECONDS,
} from '../../shared/providers/sgverify/callback-throttle.ts';
import type { QrState, SgVerifyStores } from '../../shared/providers/sgverify/ports.ts';
import {
  QrBody,
  type SgVerifyConfig,
  type SgVerifyProvider,
  sgVerifyProvider,
} from '../../shared/providers/sgverify/sgverify.ts';
import { MissingClientIdError } from '../../shared/secrets/client-id.ts';
import {
  type manualClock,
  memoryAppDirectory,
  memoryPorts,
  memorySecrets,
  memoryStateStore,
} from '../support/memory-ports.ts';
import { type MemorySgVerifyStores, memorySgVerifyStores } from '../support/memory-sgverify.ts';

/**
 * The SG-Verify provider in memory: the ports and its stores in memory, the SG-Verify simulator
 * in this process on loopback as the upstream, and a stand-in for our public callback route that
 * only notes the code the simulated phone delivers, so each test hands it to `receiveCallback`.
 */

const CLIENT_ID = 'STG2-SGVERIFY-UNIT';
const CLIENT_SECRET = 'sgverify-unit-secret';
const SGVERIFY_SECRET = 'secpass/sgverify';
const SIGNING_SECRET = 'secpass/signing';
const ISSUER = 'https://secpass.test';

const partner = generateKeyPairSync('rsa', { modulusLength: 2048 });
const partnerPrivatePem = partner.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const partnerPublicPem = partner.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let simulator: SgVerifySimulator;
let inbox: Server;
let callbackUrl: string;
let signingJwk: JWK;
/** What the simulated phone delivered to our callback, last scan last. */
const deliveries: { code: string; state: string }[] = [];

before(async () => {
  inbox = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://inbox');
    deliveries.push({ code: url.searchParams.get('code') ?? '', state: url.searchParams.get('state') ?? '' });
    res.end('noted');
  });
  await new Promise<void>((resolve) => inbox.listen(0, '127.0.0.1', resolve));
  callbackUrl = `http://127.0.0.1:${(inbox.address() as AddressInfo).port}/sgverify/callback`;
  simulator = await startSgVerifySimulator({
    port: 0,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientPublicKeyPem: partnerPublicPem,
    allowedCallbackPrefixes: [callbackUrl],
  });
  signingJwk = await newSigningJwk();
});
after(async () => {
  await simulator?.stop();
  await new Promise((resolve) => inbox?.close(resolve));
});

interface TestApp {
  record: AppRecord;
  caller: Caller;
  privateJwk: JWK;
}

const newApp = async (appId: string, sgverify?: AppRecord['providers']['sgverify']): Promise<TestApp> => {
  const keys = await newAppKeyPair();
  const apiKey = `spk_${appId}_${newStateValue()}`;
  const record: AppRecord = {
    appId,
    name: appId,
    status: 'active',
    apiKeyHash: hashApiKey(apiKey),
    publicJwk: keys.publicJwk as AppRecord['publicJwk'],
    providers: sgverify ? { sgverify } : {},
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  return { record, caller: { appId, keyHash: record.apiKeyHash }, privateJwk: keys.privateJwk };
};

const sgVerifySecret = (overrides: Record<string, unknown> = {}) => ({
  clientSecret: CLIENT_SECRET,
  privateKeys: [partnerPrivatePem],
  upstreamCertificates: [simulator.certificatePem],
  ...overrides,
});

interface World {
  provider: SgVerifyProvider;
  config: SgVerifyConfig;
  clock: ReturnType<typeof manualClock>;
  stores: MemorySgVerifyStores;
  apps: ReturnType<typeof memoryAppDirectory>;
  secrets: ReturnType<typeof memorySecrets>;
  states: ReturnType<typeof memoryStateStore>;
  kiosk: TestApp;
  other: TestApp;
  /** Paths Secpass sent to SG-Verify, in order. */
  upstreamCalls: string[];
  /** Replaces the upstream for this test: the simulator unless set. */
  useUpstream(fetch: Fetch): void;
}

const realUpstream: Fetch = (url, init) => fetch(url, init);

/** A fresh broker: its own clock (at real time, as the simulator checks QR times by it), stores and apps. */
const world = async (
  options: { upstreamTimeoutMs?: number; stores?: (stores: SgVerifyStores) => SgVerifyStores } = {},
): Promise<World> => {
  const kiosk = await newApp('app_kiosk', { attributes: ['uinfin', 'name'] });
  const other = await newApp('app_other', { attributes: ['uinfin'] });
  const apps = memoryAppDirectory([kiosk.record, other.record]);
  const secrets = memorySecrets({
    [SGVERIFY_SECRET]: sgVerifySecret(),
    [SIGNING_SECRET]: { keys: [signingJwk] },
  });
  const upstreamCalls: string[] = [];
  let upstream = realUpstream;
  const ports = memoryPorts({
    apps,
    secrets,
    fetch: (url, init) => {
      upstreamCalls.push(new URL(url).pathname);
      return upstream(url, init);
    },
  });
  ports.clock.advance(Math.floor(Date.now() / 1000) - ports.clock.nowSeconds());
  const states = memoryStateStore(ports.clock);
  const context = flowContext(
    { ...ports, states },
    {
      token: { issuer: ISSUER, ttlSeconds: 300, signingSecretId: () => SIGNING_SECRET },
      stateTtlSeconds: 600,
      upstreamTimeoutMs: options.upstreamTimeoutMs ?? 5_000,
    },
  );
  const config: SgVerifyConfig = {
    apiBaseUrl: `${simulator.apiBaseUrl}/`,
    qrBaseUrl: simulator.qrBaseUrl,
    clientId: { value: CLIENT_ID, setting: 'SGVERIFY_CLIENT_ID' },
    secretId: SGVERIFY_SECRET,
    callbackUrl,
  };
  const stores = memorySgVerifyStores(ports.clock, states);
  return {
    provider: sgVerifyProvider(config, context, options.stores ? options.stores(stores) : stores),
    config,
    clock: ports.clock,
    stores,
    apps,
    secrets,
    states,
    kiosk,
    other,
    upstreamCalls,
    useUpstream: (fetch) => {
      upstream = fetch;
    },
  };
};

beforeEach(() => {
  deliveries.length = 0;
});

/** The QR state as the store holds it. */
const savedQr = (w: World, state: string): QrState | undefined => {
  const saved = w.states.peek(state);
  return saved?.provider === 'sgverify' ? saved : undefined;
};

const persona = (i: number) => {
  const found = SGVERIFY_PERSONAS[i];
  if (!found) throw new Error(`no persona ${i}`);
  return found;
};

/** The phone scans the QR as persona `i` and consents; returns the code it delivered to our callback. */
const scan = async (url: string, i: number): Promise<{ code: string; state: string }> => {
  const response = await fetch(`${simulator.phoneUrl}/scan`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url, uinfin: persona(i).uinfin }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const delivered = deliveries.pop();
  if (!delivered) throw new Error('nothing was delivered to the callback');
  return delivered;
};

/** The person data in a result, after checking it is sealed for this app and signed by Secpass. */
const opened = async (
  token: string | undefined,
  app: TestApp,
): Promise<Record<string, { value?: string }>> => {
  assert.ok(token, 'a result');
  const { plaintext } = await compactDecrypt(token, await importJWK(app.privateJwk, 'ECDH-ES'));
  const { d: _private, ...signingPublic } = signingJwk;
  const { payload, protectedHeader } = await compactVerify(
    new TextDecoder().decode(plaintext),
    await importJWK(signingPublic, 'ES256'),
  );
  assert.equal(protectedHeader.aud, app.record.appId);
  assert.equal(protectedHeader.iss, ISSUER);
  return JSON.parse(new TextDecoder().decode(payload)) as Record<string, { value?: string }>;
};

/** The error's class, code and message, and the status the error table gives it on SG-Verify's routes. */
const refused =
  (kind: abstract new (...args: never[]) => DomainError, code: ErrorCode, status: number, message?: string) =>
  (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(statusOf(code, 'sgverify'), status, `status of ${code}`);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  };

const UNKNOWN_QR = 'This QR code is unknown or has expired.';
const USED_QR = 'This QR code has already been used.';
const RETIRED_QR = 'This QR code is no longer in service.';
const NOT_THIS_APPS = 'No such QR code for this app.';
const SCAN_AGAIN = 'This scan could not be completed. Please scan the QR code again.';
const MADE_UP_CODE = 'made-up-code-0123456789abcdef';

describe('SG-Verify QR codes', () => {
  test('a dynamic QR: the signed URL names our callback, a nonce and its times; the state is the app’s', async () => {
    const w = await world();
    const now = w.clock.nowSeconds();
    const qr = await w.provider.createQr(w.kiosk.record, {
      qrType: 'dynamic',
      kioskId: 'kiosk-1',
      validForSeconds: 120,
    });
    const url = new URL(qr.url);
    assert.equal(`${url.origin}${url.pathname}`, simulator.qrBaseUrl);
    assert.deepEqual(
      [...url.searchParams.keys()],
      [
        'callback',
        'client_id',
        'nonce',
        'qr_type',
        'signature_method',
        'state',
        'timestamp_expiry',
        'timestamp_start',
        'v',
        'signature',
      ],
    );
    assert.equal(url.searchParams.get('callback'), callbackUrl);
    assert.equal(url.searchParams.get('client_id'), CLIENT_ID);
    assert.match(url.searchParams.get('nonce') ?? '', /^[0-9a-f]{32}$/);
    assert.equal(url.searchParams.get('state'), qr.state);
    assert.equal(url.searchParams.get('timestamp_start'), String(now * 1000));
    assert.equal(url.searchParams.get('timestamp_expiry'), String((now + 120) * 1000));
    assert.equal(qr.expiresAt, new Date((now + 120) * 1000).toISOString());
    assert.match(qr.qrSvg, /^<svg/);
    const saved = savedQr(w, qr.state);
    assert.deepEqual(saved, {
      state: qr.state,
      appId: 'app_kiosk',
      provider: 'sgverify',
      qrType: 'dynamic',
      expiresAt: now + 120,
      redirectUri: callbackUrl,
      attributes: 'uinfin,name',
      kioskId: 'kiosk-1',
    });
    assert.deepEqual(w.upstreamCalls, [], 'creating a QR asks SG-Verify nothing');
  });

  test('a static QR has no nonce and lasts a day unless told otherwise; a dynamic one five minutes', async () => {
    const w = await world();
    const now = w.clock.nowSeconds();
    const staticQr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    assert.equal(new URL(staticQr.url).searchParams.has('nonce'), false);
    assert.equal(new URL(staticQr.url).searchParams.get('qr_type'), 'static');
    assert.equal(savedQr(w, staticQr.state)?.expiresAt, now + 24 * 3600);
    assert.equal(savedQr(w, staticQr.state)?.kioskId, undefined);
    const dynamicQr = await w.provider.createQr(w.kiosk.record, { qrType: 'dynamic' });
    assert.equal(savedQr(w, dynamicQr.state)?.expiresAt, now + 300);
    const yearLong = await w.provider.createQr(w.kiosk.record, {
      qrType: 'static',
      validForSeconds: 365 * 24 * 3600,
    });
    assert.equal(savedQr(w, yearLong.state)?.expiresAt, now + 365 * 24 * 3600);
  });

  test('a code valid for longer than its kind allows → 400 invalid_body, nothing saved', async () => {
    const w = await world();
    await assert.rejects(
      w.provider.createQr(w.kiosk.record, { qrType: 'dynamic', validForSeconds: 601 }),
      refused(InvalidInput, 'invalid_body', 400, 'A dynamic code is valid for at most 600 s.'),
    );
    await assert.rejects(
      w.provider.createQr(w.kiosk.record, { qrType: 'static', validForSeconds: 365 * 24 * 3600 + 1 }),
      refused(InvalidInput, 'invalid_body', 400, 'A static code is valid for at most 31536000 s.'),
    );
  });

  test('the body schema: a QR type, an optional kiosk id and at least 30 s', () => {
    assert.equal(QrBody.safeParse({ qrType: 'static' }).success, true);
    assert.equal(QrBody.safeParse({ qrType: 'printed' }).success, false);
    assert.equal(QrBody.safeParse({ qrType: 'dynamic', validForSeconds: 29 }).success, false);
    assert.equal(QrBody.safeParse({ qrType: 'dynamic', kioskId: 'no spaces' }).success, false);
  });

  test('an app without SG-Verify → 403 provider_not_enabled', async () => {
    const w = await world();
    const plain = await newApp('app_plain');
    await assert.rejects(
      w.provider.createQr(plain.record, { qrType: 'static' }),
      refused(AccessRefused, 'provider_not_enabled', 403, 'SG-Verify is not enabled for this app.'),
    );
  });

  test('the client id comes from the configuration, else from the secret; neither → a missing-setting error', async () => {
    const w = await world();
    w.config.clientId = { value: undefined, setting: 'SGVERIFY_CLIENT_ID' };
    w.secrets.set(SGVERIFY_SECRET, sgVerifySecret({ clientId: 'FROM-SECRET' }));
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    assert.equal(new URL(qr.url).searchParams.get('client_id'), 'FROM-SECRET');
    w.secrets.set(SGVERIFY_SECRET, sgVerifySecret());
    await assert.rejects(w.provider.createQr(w.kiosk.record, { qrType: 'static' }), MissingClientIdError);
  });
});

describe('SG-Verify kiosk flow', () => {
  test('a dynamic QR: one scan, the kiosk collects the sealed person once, then 202 again', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'dynamic' });
    assert.equal(await w.provider.collectResult(w.kiosk.caller, qr.state), undefined, 'pending');
    const delivered = await scan(qr.url, 0);
    assert.equal(delivered.state, qr.state);
    await w.provider.receiveCallback(delivered.code, delivered.state);
    assert.deepEqual(w.upstreamCalls, ['/sgverify/v2/token', `/sgverify/v2/person/${persona(0).uuid}/`]);
    const person = await opened(await w.provider.collectResult(w.kiosk.caller, qr.state), w.kiosk);
    assert.deepEqual(Object.keys(person).sort(), ['name', 'uinfin'], 'only the app’s attributes');
    assert.equal(person.uinfin?.value, persona(0).uinfin);
    assert.equal(await w.provider.collectResult(w.kiosk.caller, qr.state), undefined, 'handed out once');
    assert.equal(savedQr(w, qr.state)?.scannedAt, w.clock.nowSeconds(), 'the dynamic QR is used up');
    assert.equal(w.stores.throttle.count(qr.state), 0, 'the success gave its attempt back');
  });

  test('a used dynamic QR refuses further callbacks without asking SG-Verify → 400 state_used', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'dynamic' });
    const delivered = await scan(qr.url, 0);
    await w.provider.receiveCallback(delivered.code, delivered.state);
    w.upstreamCalls.length = 0;
    await assert.rejects(
      w.provider.receiveCallback(delivered.code, qr.state),
      refused(StateRefused, 'state_used', 400, USED_QR),
    );
    await assert.rejects(
      w.provider.receiveCallback(MADE_UP_CODE, qr.state),
      refused(StateRefused, 'state_used', 400, USED_QR),
    );
    assert.deepEqual(w.upstreamCalls, []);
    assert.ok(await w.provider.collectResult(w.kiosk.caller, qr.state), 'the one result still waits');
  });

  test('a static QR serves many visitors: each scan leaves one result, collected in arrival order', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    for (const i of [0, 1, 2]) {
      const delivered = await scan(qr.url, i);
      await w.provider.receiveCallback(delivered.code, delivered.state);
    }
    assert.equal(savedQr(w, qr.state)?.scannedAt, undefined, 'a static QR is never used up');
    for (const i of [0, 1, 2]) {
      const person = await opened(await w.provider.collectResult(w.kiosk.caller, qr.state), w.kiosk);
      assert.equal(person.uinfin?.value, persona(i).uinfin);
    }
    assert.equal(await w.provider.collectResult(w.kiosk.caller, qr.state), undefined);
  });

  test('ten concurrent deliveries of the real code for a dynamic QR: one succeeds, one result', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'dynamic' });
    const delivered = await scan(qr.url, 1);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => w.provider.receiveCallback(delivered.code, delivered.state)),
    );
    assert.equal(outcomes.filter((o) => o.status === 'fulfilled').length, 1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        // A used code (SG-Verify refuses it), a lost claim, or past the limit: never an upstream failure.
        assert.ok(
          outcome.reason instanceof CodeRejected ||
            outcome.reason instanceof StateRefused ||
            outcome.reason instanceof TooManyAttempts,
          String(outcome.reason),
        );
      }
    }
    assert.equal(w.stores.results.waiting(qr.state), 1);
    const person = await opened(await w.provider.collectResult(w.kiosk.caller, qr.state), w.kiosk);
    assert.equal(person.uinfin?.value, persona(1).uinfin);
  });

  test('a real callback that loses the claim of a dynamic QR to another → 400 state_used, nothing stored', async () => {
    // Another callback for the same QR claims it while this one is with SG-Verify.
    const w = await world({
      stores: (stores) => ({
        ...stores,
        qrStates: {
          ...stores.qrStates,
          find: async (state) => {
            const found = await stores.qrStates.find(state);
            await stores.qrStates.claimDynamic(state);
            return found;
          },
        },
      }),
    });
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'dynamic' });
    const delivered = await scan(qr.url, 0);
    await assert.rejects(
      w.provider.receiveCallback(delivered.code, delivered.state),
      refused(StateRefused, 'state_used', 400, USED_QR),
    );
    assert.equal(w.upstreamCalls.length, 2, 'SG-Verify vouched for the code first');
    assert.equal(w.stores.results.waiting(qr.state), 0);
  });

  test('a result waiting on a QR that has since expired is still handed out, then 404 state_expired', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'dynamic', validForSeconds: 60 });
    const delivered = await scan(qr.url, 0);
    await w.provider.receiveCallback(delivered.code, delivered.state);
    w.clock.advance(61);
    assert.ok(await w.provider.collectResult(w.kiosk.caller, qr.state));
    await assert.rejects(
      w.provider.collectResult(w.kiosk.caller, qr.state),
      refused(StateRefused, 'state_expired', 404, 'This QR code has expired and no result is waiting.'),
    );
  });

  test('a result left uncollected for five minutes is gone', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    const delivered = await scan(qr.url, 0);
    await w.provider.receiveCallback(delivered.code, delivered.state);
    w.clock.advance(300);
    assert.equal(await w.provider.collectResult(w.kiosk.caller, qr.state), undefined);
  });
});

describe('SG-Verify refusals of a QR code', () => {
  test('a callback for an unknown state, another flow’s state or an expired QR → 404 invalid_state, SG-Verify not asked', async () => {
    const w = await world();
    await assert.rejects(
      w.provider.receiveCallback(MADE_UP_CODE, newStateValue()),
      refused(StateRefused, 'invalid_state', 404, UNKNOWN_QR),
    );
    const myinfoState = newStateValue();
    await w.states.save({
      state: myinfoState,
      appId: 'app_kiosk',
      provider: 'myinfo',
      expiresAt: w.clock.nowSeconds() + 600,
      redirectUri: 'https://kiosk.example/cb',
      attributes: 'name',
    });
    await assert.rejects(
      w.provider.receiveCallback(MADE_UP_CODE, myinfoState),
      refused(StateRefused, 'invalid_state', 404, UNKNOWN_QR),
    );
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static', validForSeconds: 60 });
    w.clock.advance(60);
    await assert.rejects(
      w.provider.receiveCallback(MADE_UP_CODE, qr.state),
      refused(StateRefused, 'invalid_state', 404, UNKNOWN_QR),
    );
    assert.deepEqual(w.upstreamCalls, []);
    assert.equal(w.stores.throttle.count(qr.state), undefined, 'an unusable QR is not counted');
  });

  test('a QR of an app since disabled or removed → 404 invalid_state, SG-Verify not asked, nothing counted', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    const delivered = await scan(qr.url, 0);
    w.apps.put({ ...w.kiosk.record, status: 'disabled' });
    await assert.rejects(
      w.provider.receiveCallback(delivered.code, qr.state),
      refused(StateRefused, 'invalid_state', 404, RETIRED_QR),
    );
    w.apps.remove('app_kiosk');
    await assert.rejects(
      w.provider.receiveCallback(delivered.code, qr.state),
      refused(StateRefused, 'invalid_state', 404, RETIRED_QR),
    );
    assert.deepEqual(w.upstreamCalls, []);
    assert.equal(w.stores.throttle.count(qr.state), undefined);
  });

  test('a QR of an app whose SG-Verify was switched off since → 403 provider_not_enabled, SG-Verify not asked', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    w.apps.put({ ...w.kiosk.record, providers: {} });
    await assert.rejects(
      w.provider.receiveCallback(MADE_UP_CODE, qr.state),
      refused(AccessRefused, 'provider_not_enabled', 403),
    );
    assert.deepEqual(w.upstreamCalls, []);
  });

  test('collecting another app’s QR, or an unknown one → 404 invalid_state, and its result stays for its kiosk', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    const delivered = await scan(qr.url, 0);
    await w.provider.receiveCallback(delivered.code, delivered.state);
    await assert.rejects(
      w.provider.collectResult(w.other.caller, qr.state),
      refused(StateRefused, 'invalid_state', 404, NOT_THIS_APPS),
    );
    await assert.rejects(
      w.provider.collectResult(w.kiosk.caller, newStateValue()),
      refused(StateRefused, 'invalid_state', 404, NOT_THIS_APPS),
    );
    assert.ok(await w.provider.collectResult(w.kiosk.caller, qr.state));
  });

  test('collecting with a rotated-out key or for a disabled app → 403 invalid_api_key, the result stays', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    const delivered = await scan(qr.url, 0);
    await w.provider.receiveCallback(delivered.code, delivered.state);
    await assert.rejects(
      w.provider.collectResult({ appId: 'app_kiosk', keyHash: hashApiKey('spk_old') }, qr.state),
      refused(AccessRefused, 'invalid_api_key', 403),
    );
    w.apps.put({ ...w.kiosk.record, status: 'disabled' });
    await assert.rejects(
      w.provider.collectResult(w.kiosk.caller, qr.state),
      refused(AccessRefused, 'invalid_api_key', 403),
    );
    w.apps.put(w.kiosk.record);
    assert.ok(await w.provider.collectResult(w.kiosk.caller, qr.state));
  });
});

describe('SG-Verify callbacks with made-up codes', () => {
  test('a code SG-Verify rejects → 400 invalid_code, counted by the throttle, nothing stored, the QR not used up', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'dynamic' });
    await assert.rejects(
      w.provider.receiveCallback(MADE_UP_CODE, qr.state),
      refused(CodeRejected, 'invalid_code', 400, SCAN_AGAIN),
    );
    assert.deepEqual(w.upstreamCalls, ['/sgverify/v2/token'], 'SG-Verify was asked once');
    assert.equal(w.stores.throttle.count(qr.state), 1);
    assert.equal(w.stores.results.waiting(qr.state), 0);
    assert.equal(savedQr(w, qr.state)?.scannedAt, undefined);
    // The visitor's real scan still reaches the kiosk.
    const delivered = await scan(qr.url, 0);
    await w.provider.receiveCallback(delivered.code, delivered.state);
    assert.equal(
      (await opened(await w.provider.collectResult(w.kiosk.caller, qr.state), w.kiosk)).uinfin?.value,
      persona(0).uinfin,
    );
  });

  test(`after ${FAILED_CALLBACK_LIMIT} rejected codes → 429 with the window’s seconds left, SG-Verify not asked, until the window passes`, async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    // Made now: the simulated app checks a code's start time by the real clock.
    const other = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    for (let i = 0; i < FAILED_CALLBACK_LIMIT; i += 1) {
      await assert.rejects(w.provider.receiveCallback(`${MADE_UP_CODE}-${i}`, qr.state), CodeRejected);
    }
    assert.equal(w.upstreamCalls.length, FAILED_CALLBACK_LIMIT);
    w.clock.advance(10);
    await assert.rejects(w.provider.receiveCallback(MADE_UP_CODE, qr.state), (error: unknown) => {
      refused(
        TooManyAttempts,
        'too_many_attempts',
        429,
        'This QR code has had too many failed attempts. Please try again in a few minutes.',
      )(error);
      assert.equal((error as TooManyAttempts).retryAfterSeconds, FAILURE_WINDOW_SECONDS - 10);
      return true;
    });
    // Real visitors of that code are refused too while the window is full; a refused call stores nothing.
    const delivered = await scan(qr.url, 1);
    await assert.rejects(w.provider.receiveCallback(delivered.code, qr.state), TooManyAttempts);
    assert.equal(w.upstreamCalls.length, FAILED_CALLBACK_LIMIT, 'no further token request');
    assert.equal(await w.provider.collectResult(w.kiosk.caller, qr.state), undefined);
    // Another QR of the same app is not affected.
    const otherScan = await scan(other.url, 2);
    await w.provider.receiveCallback(otherScan.code, otherScan.state);
    // Once the window has passed, the QR serves again.
    w.clock.advance(FAILURE_WINDOW_SECONDS);
    const later = await scan(qr.url, 1);
    await w.provider.receiveCallback(later.code, later.state);
    assert.equal(
      (await opened(await w.provider.collectResult(w.kiosk.caller, qr.state), w.kiosk)).uinfin?.value,
      persona(1).uinfin,
    );
  });

  test('a burst of concurrent made-up codes cannot slip past the limit', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => w.provider.receiveCallback(`${MADE_UP_CODE}-${i}`, qr.state)),
    );
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    assert.equal(reasons.filter((r) => r instanceof CodeRejected).length, FAILED_CALLBACK_LIMIT);
    assert.equal(reasons.filter((r) => r instanceof TooManyAttempts).length, 20 - FAILED_CALLBACK_LIMIT);
    assert.equal(w.upstreamCalls.length, FAILED_CALLBACK_LIMIT);
  });

  test('a success gives back its own attempt only: earlier failures still count', async () => {
    const w = await world();
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'static' });
    for (let i = 0; i < FAILED_CALLBACK_LIMIT - 1; i += 1) {
      await assert.rejects(w.provider.receiveCallback(`${MADE_UP_CODE}-${i}`, qr.state), CodeRejected);
    }
    const delivered = await scan(qr.url, 0);
    await w.provider.receiveCallback(delivered.code, delivered.state);
    assert.equal(w.stores.throttle.count(qr.state), FAILED_CALLBACK_LIMIT - 1);
    await assert.rejects(w.provider.receiveCallback(MADE_UP_CODE, qr.state), CodeRejected);
    await assert.rejects(w.provider.receiveCallback(MADE_UP_CODE, qr.state), TooManyAttempts);
  });
});

describe('SG-Verify failures that are not a rejected code', () => {
  /** A static QR and a code the phone delivered for it; the next callback meets whatever upstream the test sets. */
  const scanned = async (w: World) => {
    const qr = await w.provider.createQr(w.kiosk.record, { qrType: 'dynamic' });
    const delivered = await scan(qr.url, 0);
    w.upstreamCalls.length = 0;
    return { qr, delivered };
  };

  const failsWith = async (w: World, failure: string, check: (error: UpstreamFailed) => void = () => {}) => {
    const { qr, delivered } = await scanned(w);
    await assert.rejects(w.provider.receiveCallback(delivered.code, delivered.state), (error: unknown) => {
      refused(UpstreamFailed, `upstream_${failure}` as ErrorCode, 502)(error);
      assert.equal((error as UpstreamFailed).provider, 'SG-Verify');
      check(error as UpstreamFailed);
      return true;
    });
    // Nothing stored, the visitor's QR not used up, and the failed attempt stays counted.
    assert.equal(w.stores.results.waiting(qr.state), 0);
    assert.equal(savedQr(w, qr.state)?.scannedAt, undefined);
    assert.equal(w.stores.throttle.count(qr.state), 1);
  };

  test('SG-Verify unreachable → 502 upstream_unreachable', async () => {
    const w = await world();
    w.useUpstream(async () => {
      throw new TypeError('fetch failed');
    });
    await failsWith(w, 'unreachable');
  });

  test('SG-Verify too slow → 502 upstream_timeout', async () => {
    const w = await world({ upstreamTimeoutMs: 50 });
    w.useUpstream(
      (_url, init) =>
        new Promise((_resolve, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        }),
    );
    await failsWith(w, 'timeout');
  });

  test('SG-Verify refusing our signature (401) → 502 upstream_error_status, not the visitor’s mistake', async () => {
    const w = await world();
    w.useUpstream(async () => new Response('{"error":"unauthorized"}', { status: 401 }));
    await failsWith(w, 'error_status', (error) => assert.equal(error.upstreamStatus, 401));
  });

  test('SG-Verify failing (500) → 502 upstream_error_status', async () => {
    const w = await world();
    w.useUpstream(async () => new Response('oops', { status: 500 }));
    await failsWith(w, 'error_status', (error) => assert.equal(error.upstreamStatus, 500));
  });

  test('a token answer that is not JSON → 502 upstream_bad_response', async () => {
    const w = await world();
    w.useUpstream(async () => new Response('<html>maintenance</html>', { status: 200 }));
    await failsWith(w, 'bad_response');
  });

  test('an access token that does not verify against SG-Verify’s certificate → 502 upstream_bad_token', async () => {
    const w = await world();
    const impostor = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    w.secrets.set(
      SGVERIFY_SECRET,
      sgVerifySecret({ upstreamCertificates: [impostor.export({ type: 'spki', format: 'pem' }).toString()] }),
    );
    await failsWith(w, 'bad_token');
    assert.deepEqual(w.upstreamCalls, ['/sgverify/v2/token'], 'the person is not asked for');
  });

  test('a person answer that is not a JWE to our key → 502 upstream_bad_encryption', async () => {
    const w = await world();
    w.useUpstream((url, init) =>
      new URL(url).pathname.includes('/person/')
        ? Promise.resolve(new Response('not.a.jwe.at.all', { status: 200 }))
        : realUpstream(url, init),
    );
    await failsWith(w, 'bad_encryption');
  });

  test('the provider reads its configuration on each call: a new API base is used at once', async () => {
    const w = await world();
    w.config.apiBaseUrl = 'http://127.0.0.1:9/sgverify/v2';
    await failsWith(w, 'unreachable');
  });
});
