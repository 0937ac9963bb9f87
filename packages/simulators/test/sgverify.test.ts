import assert from 'node:assert/strict';
import {
  createPublicKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { compactDecrypt, compactVerify, decodeProtectedHeader, jwtVerify } from 'jose';
import {
  SGVERIFY_ATTRIBUTES,
  SGVERIFY_PERSONAS,
  type SgVerifyPersona,
  type SgVerifySimulator,
  startSgVerifySimulator,
} from '../src/sgverify/index.ts';

/**
 * Drives the SG-Verify simulator as a partner and a person would: the test builds and signs QR
 * URLs and PKI_SIGN headers itself from the spec (not with Secpass's code), runs a loopback
 * partner callback that records the code and state it receives, scans through the simulated
 * phone, and checks each refusal happens for the reason the real service would give.
 */
const CLIENT_ID = 'STG2-SGVERIFY-SECPASS-TEST';
const CLIENT_SECRET = 'simulator-client-secret';
const CALLBACK_PATH = '/sgverify/callback';

const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

const personaOf = (kind: SgVerifyPersona['kind']): SgVerifyPersona => {
  const found = SGVERIFY_PERSONAS.find((p) => p.kind === kind);
  if (!found) throw new Error(`no ${kind} persona`);
  return found;
};
const citizen = personaOf('citizen');
const resident = personaOf('permanent resident');
const fForeigner = personaOf('foreigner (F FIN)');
const gForeigner = personaOf('foreigner (G FIN)');

/** What the partner's callback saw: one entry per request, in arrival order. */
interface Delivery {
  path: string;
  code: string | null;
  state: string | null;
}
const deliveries: Delivery[] = [];
const deliveriesFor = (state: string) => deliveries.filter((d) => d.state === state);

// The partner answers 200, except on paths that let a test see a failing or redirecting partner.
const partner = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://partner.invalid');
  deliveries.push({
    path: url.pathname,
    code: url.searchParams.get('code'),
    state: url.searchParams.get('state'),
  });
  if (url.pathname === `${CALLBACK_PATH}/broken`) res.writeHead(500);
  else if (url.pathname === `${CALLBACK_PATH}/moved`) res.writeHead(302, { Location: CALLBACK_PATH });
  else res.writeHead(200);
  res.end();
});

const listen = (server: Server): Promise<string> =>
  new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    );
  });

let partnerUrl: string;
/** A registered callback where nothing listens any more. */
let deadCallback: string;
let sim: SgVerifySimulator;

before(async () => {
  partnerUrl = await listen(partner);
  const gone = createServer();
  deadCallback = `${await listen(gone)}${CALLBACK_PATH}`;
  await new Promise((resolve) => gone.close(resolve));
  sim = await startSgVerifySimulator({
    port: 0,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientPublicKeyPem: pem(client.publicKey),
    allowedCallbackPrefixes: [`${partnerUrl}${CALLBACK_PATH}`, deadCallback],
  });
});
after(async () => {
  await sim?.stop();
  partner.closeAllConnections();
  await new Promise((resolve) => partner.close(resolve));
});

const callback = () => `${partnerUrl}${CALLBACK_PATH}`;

interface QrSpec {
  callback?: string;
  clientId?: string;
  /** null leaves the nonce out; undefined gives a dynamic code a fresh one. */
  nonce?: string | null;
  qrType?: string;
  signatureMethod?: string;
  state?: string;
  startsAt?: number;
  expiresAt?: number;
  version?: string;
  key?: KeyObject;
  base?: string;
  /** How the base64 signature is appended: percent-encoded (default), raw, or URL-safe. */
  signatureAs?: 'percent' | 'raw' | 'base64url';
}

/** A QR URL exactly as the spec's "Generating QR Code" sample builds and signs it. */
const qrUrl = (spec: QrSpec = {}): { url: string; state: string } => {
  const qrType = spec.qrType ?? 'dynamic';
  const state = spec.state ?? `kiosk-${randomUUID()}`;
  const nonce =
    spec.nonce === undefined ? (qrType === 'dynamic' ? randomBytes(8).toString('hex') : null) : spec.nonce;
  const now = Date.now();
  const unsigned =
    `${spec.base ?? sim.qrBaseUrl}?callback=${encodeURIComponent(spec.callback ?? callback())}` +
    `&client_id=${spec.clientId ?? CLIENT_ID}` +
    (nonce === null ? '' : `&nonce=${nonce}`) +
    `&qr_type=${qrType}` +
    `&signature_method=${spec.signatureMethod ?? 'RS256'}` +
    `&state=${state}` +
    `&timestamp_expiry=${spec.expiresAt ?? now + 5 * 60_000}` +
    `&timestamp_start=${spec.startsAt ?? now - 1_000}` +
    `&v=${spec.version ?? '2'}`;
  const signature = createSign('RSA-SHA256')
    .update(unsigned)
    .sign(spec.key ?? client.privateKey, 'base64');
  const appended =
    spec.signatureAs === 'raw'
      ? signature
      : spec.signatureAs === 'base64url'
        ? Buffer.from(signature, 'base64').toString('base64url')
        : encodeURIComponent(signature);
  return { url: `${unsigned}&signature=${appended}`, state };
};

const scan = (url: string, uinfin: string) =>
  fetch(`${sim.phoneUrl}/scan`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url, uinfin }),
  });

/** Scans as the persona and returns the code the partner's callback received for this state. */
const scanForCode = async (url: string, state: string, who: SgVerifyPersona): Promise<string> => {
  const before = deliveriesFor(state).length;
  const response = await scan(url, who.uinfin);
  assert.equal(response.status, 200, await response.clone().text());
  assert.deepEqual(await response.json(), { callbackStatus: 200 });
  const received = deliveriesFor(state);
  assert.equal(received.length, before + 1, 'the callback was called once, before the phone answered');
  const delivery = received.at(-1);
  assert.equal(delivery?.path, CALLBACK_PATH);
  assert.ok(delivery?.code);
  return delivery.code;
};

interface Signing {
  key?: KeyObject;
  nonce?: string;
  /** Sign these parameters instead of the ones sent. */
  params?: Record<string, string>;
}

/** PKI_SIGN as the spec's "Request Signing" sample computes it. */
const pkiSign = (
  method: 'GET' | 'POST',
  url: string,
  params: Record<string, string>,
  signing: Signing = {},
): string => {
  const auth = {
    app_id: CLIENT_ID,
    nonce: signing.nonce ?? randomBytes(16).toString('hex'),
    signature_method: 'RS256',
    timestamp: Date.now().toString(),
  };
  const pairs = Object.entries({ ...(signing.params ?? params), ...auth })
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`);
  const signature = createSign('RSA-SHA256')
    .update(`${method}&${url}&${pairs.join('&')}`)
    .sign(signing.key ?? client.privateKey, 'base64');
  return (
    `PKI_SIGN app_id="${auth.app_id}",nonce="${auth.nonce}",signature_method="RS256",` +
    `signature="${signature}",timestamp="${auth.timestamp}"`
  );
};

const callToken = (
  grant: { code: string; state: string; redirectUri?: string },
  body: Record<string, string> = {},
  signing: Signing = {},
) => {
  const url = `${sim.apiBaseUrl}/token`;
  const params = {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectUri ?? callback(),
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    state: grant.state,
    ...body,
  };
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Cache-Control': 'no-cache',
      Authorization: pkiSign('POST', url, params, signing),
    },
    body: new URLSearchParams(params).toString(),
  });
};

const accessTokenFor = async (who: SgVerifyPersona): Promise<string> => {
  const { url, state } = qrUrl();
  const response = await callToken({ code: await scanForCode(url, state, who), state });
  assert.equal(response.status, 200, await response.clone().text());
  return ((await response.json()) as { access_token: string }).access_token;
};

const callPerson = (
  token: string,
  uuid: string,
  attributes: string,
  call: { signing?: Signing; bearer?: string | null } = {},
) => {
  const url = `${sim.apiBaseUrl}/person/${uuid}/`;
  const query = { client_id: CLIENT_ID, attributes };
  const signature = pkiSign('GET', url, query, call.signing);
  const bearer = call.bearer === undefined ? token : call.bearer;
  return fetch(`${url}?${new URLSearchParams(query)}`, {
    headers: {
      'Cache-Control': 'no-cache',
      Authorization: bearer ? `${signature},Bearer ${bearer}` : signature,
    },
  });
};

type Person = Record<string, Record<string, unknown>>;

/** Decrypts with the partner's private key, then verifies with the simulator's; algorithms pinned. */
const openPerson = async (response: Response): Promise<Person> => {
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('content-type'), 'application/jose');
  const jwe = await response.text();
  assert.deepEqual(decodeProtectedHeader(jwe), { alg: 'RSA-OAEP', enc: 'A256GCM' });
  const { plaintext } = await compactDecrypt(jwe, client.privateKey, {
    keyManagementAlgorithms: ['RSA-OAEP'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  const { payload } = await compactVerify(
    new TextDecoder().decode(plaintext),
    createPublicKey(sim.certificatePem),
    {
      algorithms: ['RS256'],
    },
  );
  return JSON.parse(new TextDecoder().decode(payload)) as Person;
};

/** SG-Verify's error shape, `{ code, message }` and nothing else, with the reason we expect. */
const expectRefusal = async (response: Response, status: number, reason: RegExp) => {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
  assert.equal(body.code, status);
  assert.match(String(body.message), reason);
};

const NRIC_CHECK = { ST: 'JZIHGFEDCBA', FG: 'XWUTRQPNMLK' };
const validUinfin = (id: string): boolean => {
  const match = /^([STFG])(\d{7})([A-Z])$/.exec(id);
  if (!match) return false;
  const [, prefix = '', digits = '', check] = match;
  const weights = [2, 7, 6, 5, 4, 3, 2];
  let sum = [...digits].reduce((total, digit, i) => total + Number(digit) * (weights[i] ?? 0), 0);
  if (prefix === 'T' || prefix === 'G') sum += 4;
  const letters = prefix === 'S' || prefix === 'T' ? NRIC_CHECK.ST : NRIC_CHECK.FG;
  return letters[sum % 11] === check;
};

describe('personas', () => {
  test('a citizen, a PR, an F-FIN and a G-FIN foreigner, each with a valid UINFIN and a uuid', () => {
    assert.ok(SGVERIFY_PERSONAS.length >= 4);
    assert.match(citizen.uinfin, /^[ST]/);
    assert.match(resident.uinfin, /^[ST]/);
    assert.match(fForeigner.uinfin, /^F/);
    assert.match(gForeigner.uinfin, /^G/);
    assert.equal(new Set(SGVERIFY_PERSONAS.map((p) => p.uuid)).size, SGVERIFY_PERSONAS.length);
    for (const p of SGVERIFY_PERSONAS) {
      assert.ok(validUinfin(p.uinfin), `${p.uinfin} has a valid check letter`);
      assert.match(p.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.deepEqual(Object.keys(p.person).sort(), [...SGVERIFY_ATTRIBUTES].sort());
      assert.equal(p.person.uinfin.value, p.uinfin);
      assert.equal(p.person.name.value, p.name);
      assert.equal(p.person.partialuinfin.value, `*****${p.uinfin.slice(5)}`);
    }
    assert.equal(citizen.person.partialuinfin.value, '*****381D');
  });

  test('what does not apply is source "3": passtype for citizens and PRs, regadd for foreigners', () => {
    for (const p of [citizen, resident]) {
      assert.equal(p.person.passtype.source, '3');
      assert.equal(p.person.regadd.source, '1');
    }
    assert.deepEqual(citizen.person.residentialstatus.code, 'C');
    assert.deepEqual(resident.person.residentialstatus.code, 'P');
    for (const p of [fForeigner, gForeigner]) {
      assert.equal(p.person.passtype.source, '1');
      assert.equal(p.person.regadd.source, '3');
    }
  });
});

describe('lifecycle', () => {
  test('listens on loopback only and names its URLs and public key', () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sim.apiBaseUrl, `${sim.url}/sgverify/v2`);
    assert.equal(sim.qrBaseUrl, `${sim.url}/sgverify`);
    assert.equal(sim.phoneUrl, `${sim.url}/phone`);
    assert.equal(createPublicKey(sim.certificatePem).asymmetricKeyType, 'rsa');
  });

  test('refuses a partner key that is not RSA', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await assert.rejects(
      startSgVerifySimulator({
        port: 0,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        clientPublicKeyPem: pem(ec.publicKey),
        allowedCallbackPrefixes: [callback()],
      }),
      /RSA/,
    );
  });
});

describe('happy paths', () => {
  test('dynamic: scan → callback gets code + state → token → person with exactly the requested attributes', async () => {
    const { url, state } = qrUrl({ qrType: 'dynamic' });
    const code = await scanForCode(url, state, citizen);
    assert.equal(deliveriesFor(state).at(-1)?.state, state);

    const tokenResponse = await callToken({ code, state });
    assert.equal(tokenResponse.status, 200, await tokenResponse.clone().text());
    const token = (await tokenResponse.json()) as Record<string, unknown>;
    assert.equal(token.token_type, 'Bearer');
    assert.equal(token.expires_in, 600);
    const { payload: claims } = await jwtVerify(
      String(token.access_token),
      createPublicKey(sim.certificatePem),
      {
        algorithms: ['RS256'],
        issuer: sim.apiBaseUrl,
        audience: CLIENT_ID,
      },
    );
    assert.equal(claims.sub, citizen.uuid);
    assert.deepEqual(claims.scope, [...SGVERIFY_ATTRIBUTES]);
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 600);
    assert.equal(typeof claims.jti, 'string');

    const person = await openPerson(
      await callPerson(String(token.access_token), citizen.uuid, 'partialuinfin,name,regadd'),
    );
    assert.deepEqual(Object.keys(person).sort(), ['name', 'partialuinfin', 'regadd']);
    assert.deepEqual(person.partialuinfin, { ...citizen.person.partialuinfin });
    assert.equal(person.partialuinfin?.value, '*****381D');
    assert.equal(person.name?.value, citizen.name);
    assert.equal(person.regadd?.type, 'SG');
    assert.deepEqual(person.regadd, JSON.parse(JSON.stringify(citizen.person.regadd)));
  });

  test('static: scanned three times (by different people) gives three codes, each exchanged for its person', async () => {
    const { url, state } = qrUrl({ qrType: 'static', expiresAt: Date.now() + 365 * 24 * 3600_000 });
    assert.doesNotMatch(url, /&nonce=/);
    const scanners = [resident, fForeigner, gForeigner];
    const codes: string[] = [];
    for (const who of scanners) codes.push(await scanForCode(url, state, who));
    assert.equal(new Set(codes).size, 3);
    for (const [i, who] of scanners.entries()) {
      const response = await callToken({ code: codes[i] ?? '', state });
      assert.equal(response.status, 200);
      const { access_token } = (await response.json()) as { access_token: string };
      const person = await openPerson(
        await callPerson(access_token, who.uuid, 'uinfin,passtype,residentialstatus'),
      );
      assert.equal(person.uinfin?.value, who.uinfin);
      assert.deepEqual(Object.keys(person).sort(), ['passtype', 'residentialstatus', 'uinfin']);
    }
  });

  test('a foreigner: passtype applies, regadd comes back "not applicable" (source 3)', async () => {
    const token = await accessTokenFor(gForeigner);
    const person = await openPerson(await callPerson(token, gForeigner.uuid, 'regadd,passtype,nationality'));
    assert.equal(person.regadd?.source, '3');
    assert.deepEqual(person.passtype, { ...gForeigner.person.passtype });
    assert.equal(person.passtype?.source, '1');
  });

  test('the signature may also be appended raw (as the spec sample does) or URL-safe', async () => {
    for (const signatureAs of ['raw', 'base64url'] as const) {
      const { url, state } = qrUrl({ signatureAs });
      await scanForCode(url, state, citizen);
    }
  });
});

describe('the phone refuses', () => {
  test('a QR tampered with after signing: state, callback, expiry or client_id changed → 401', async () => {
    const { url, state } = qrUrl();
    const tampered = [
      url.replace(`&state=${state}`, '&state=kiosk-other'),
      url.replace(encodeURIComponent(CALLBACK_PATH), encodeURIComponent(`${CALLBACK_PATH}/other`)),
      url.replace(/&timestamp_expiry=\d+/, `&timestamp_expiry=${Date.now() + 3_600_000}`),
    ];
    for (const changed of tampered) {
      assert.notEqual(changed, url);
      await expectRefusal(await scan(changed, citizen.uinfin), 401, /signature does not verify/);
    }
    await expectRefusal(
      await scan(qrUrl({ key: stranger.privateKey }).url, citizen.uinfin),
      401,
      /signature/,
    );
    await expectRefusal(
      await scan(qrUrl({ clientId: 'OTHER-PARTNER' }).url, citizen.uinfin),
      401,
      /client_id/,
    );
    assert.equal(deliveries.filter((d) => d.path.endsWith('/other') || d.state === 'kiosk-other').length, 0);
    // The untouched URL still scans, so each refusal above was about the change.
    await scanForCode(url, state, citizen);
  });

  test('an expired QR, and one not valid yet → 400', async () => {
    const now = Date.now();
    await expectRefusal(
      await scan(qrUrl({ startsAt: now - 600_000, expiresAt: now - 1_000 }).url, citizen.uinfin),
      400,
      /expired/,
    );
    await expectRefusal(
      await scan(qrUrl({ startsAt: now + 60_000, expiresAt: now + 600_000 }).url, citizen.uinfin),
      400,
      /not valid yet/,
    );
  });

  test('a dynamic QR scanned a second time → 409, and the partner is not called again', async () => {
    const { url, state } = qrUrl({ qrType: 'dynamic' });
    await scanForCode(url, state, citizen);
    await expectRefusal(await scan(url, resident.uinfin), 409, /already been scanned/);
    assert.equal(deliveriesFor(state).length, 1);
  });

  test('a callback outside the registered prefix → 403, and nothing is called', async () => {
    const port = new URL(partnerUrl).port;
    const outside = [
      `${partnerUrl}/elsewhere`,
      `${callback()}.evil.example/`,
      `${callback()}-other`,
      `${callback()}/../../elsewhere`,
      `http://127.0.0.1:${port}@127.0.0.2:${port}${CALLBACK_PATH}`,
    ];
    for (const target of outside) {
      const { url, state } = qrUrl({ callback: target });
      await expectRefusal(await scan(url, citizen.uinfin), 403, /callback is not registered/);
      assert.equal(deliveriesFor(state).length, 0);
    }
  });

  test('an unknown persona → 404, and the dynamic QR stays usable', async () => {
    const { url, state } = qrUrl();
    await expectRefusal(await scan(url, 'S1234567D'), 404, /persona/);
    assert.equal(deliveriesFor(state).length, 0);
    await scanForCode(url, state, citizen);
  });

  test('a URL that is not an SG-Verify v2 QR of the right layout → 400', async () => {
    const { url } = qrUrl();
    const cases: [string, RegExp][] = [
      [qrUrl({ base: `${sim.url}/elsewhere` }).url, /not an SG-Verify URL/],
      [url.slice(0, url.indexOf('&signature=')), /signature is missing/],
      [qrUrl({ version: '1' }).url, /v must be 2/],
      [qrUrl({ signatureMethod: 'HS256' }).url, /signature_method must be RS256/],
      [qrUrl({ qrType: 'dynamic', nonce: null }).url, /needs a nonce/],
      [qrUrl({ qrType: 'printed' }).url, /qr_type/],
      [url.replace(/&state=[^&]+/, ''), /missing state/],
      [url.replace('&v=2', '&v=2&v=2'), /repeated/],
      [url.replace('&v=2', '&v=2&extra=1'), /unexpected parameter extra/],
      [`${url}&signature=again`, /signature must appear once/],
    ];
    const { url: ordered } = qrUrl();
    const [head = '', query = ''] = ordered.split('?');
    const [first = '', second = '', ...rest] = query.split('&');
    cases.push([`${head}?${[second, first, ...rest].join('&')}`, /order/]);
    for (const [bad, reason] of cases) await expectRefusal(await scan(bad, citizen.uinfin), 400, reason);
  });

  test('a body that is not {url, uinfin} JSON → 400', async () => {
    const response = await fetch(`${sim.phoneUrl}/scan`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: qrUrl().url }),
    });
    await expectRefusal(response, 400, /body must be/);
  });
});

describe('the callback', () => {
  test("the phone reports the partner's status as is, without following a redirect", async () => {
    for (const [path, status] of [
      ['/broken', 500],
      ['/moved', 302],
    ] as const) {
      const { url, state } = qrUrl({ callback: `${callback()}${path}` });
      const response = await scan(url, citizen.uinfin);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { callbackStatus: status });
      assert.deepEqual(
        deliveriesFor(state).map((d) => d.path),
        [`${CALLBACK_PATH}${path}`],
      );
    }
  });

  test('an unreachable partner → 502', async () => {
    await expectRefusal(
      await scan(qrUrl({ callback: deadCallback }).url, citizen.uinfin),
      502,
      /could not be reached/,
    );
  });
});

describe('token refuses', () => {
  const grant = async () => {
    const { url, state } = qrUrl();
    return { code: await scanForCode(url, state, citizen), state };
  };

  test('a code used twice → 400 on the second use, with a fresh signature', async () => {
    const once = await grant();
    assert.equal((await callToken(once)).status, 200);
    await expectRefusal(await callToken(once), 400, /already been used/);
  });

  test('a wrong client secret → 401, and the code is not spent by the refusal', async () => {
    const once = await grant();
    await expectRefusal(await callToken(once, { client_secret: 'guess' }), 401, /client_secret/);
    assert.equal((await callToken(once)).status, 200);
  });

  test('a PKI_SIGN signature by another key or over other parameters → 401', async () => {
    const once = await grant();
    await expectRefusal(await callToken(once, {}, { key: stranger.privateKey }), 401, /signature/);
    await expectRefusal(
      await callToken(once, {}, { params: { code: once.code, state: once.state } }),
      401,
      /signature/,
    );
  });

  test('a PKI_SIGN nonce seen before → 401, even with a new code and a valid signature', async () => {
    const nonce = randomUUID();
    assert.equal((await callToken(await grant(), {}, { nonce })).status, 200);
    await expectRefusal(await callToken(await grant(), {}, { nonce }), 401, /nonce/);
  });

  test("a redirect_uri other than the QR's callback, or another or no state → 400", async () => {
    const once = await grant();
    await expectRefusal(
      await callToken({ ...once, redirectUri: `${callback()}/other` }),
      400,
      /redirect_uri/,
    );
    await expectRefusal(await callToken({ ...once, state: 'kiosk-other' }), 400, /state does not match/);
    await expectRefusal(await callToken({ ...once, state: '' }), 400, /state does not match/);
    assert.equal((await callToken(once)).status, 200);
  });

  test('an unknown code → 400', async () => {
    await expectRefusal(await callToken({ code: 'made-up', state: 'kiosk' }), 400, /code is invalid/);
  });
});

describe('person refuses', () => {
  let token: string;
  before(async () => {
    token = await accessTokenFor(citizen);
  });

  test('the same call, correctly signed, succeeds (so each refusal below is about one thing)', async () => {
    const person = await openPerson(await callPerson(token, citizen.uuid, 'name,uinfin'));
    assert.deepEqual(Object.keys(person).sort(), ['name', 'uinfin']);
  });

  test("a uuid other than the token's subject → 401", async () => {
    await expectRefusal(await callPerson(token, resident.uuid, 'name'), 401, /uuid/);
  });

  test("an attribute outside the token's scope → 401", async () => {
    await expectRefusal(await callPerson(token, citizen.uuid, 'name,race'), 401, /scope: race/);
    await expectRefusal(await callPerson(token, citizen.uuid, 'uuid'), 401, /scope: uuid/);
  });

  test('a bad PKI_SIGN signature, or one over other attributes than sent → 401', async () => {
    await expectRefusal(
      await callPerson(token, citizen.uuid, 'name', { signing: { key: stranger.privateKey } }),
      401,
      /signature/,
    );
    await expectRefusal(
      await callPerson(token, citizen.uuid, 'name', {
        signing: { params: { client_id: CLIENT_ID, attributes: 'name,uinfin' } },
      }),
      401,
      /signature/,
    );
  });

  test('a replayed PKI_SIGN nonce → 401', async () => {
    const nonce = randomUUID();
    await openPerson(await callPerson(token, citizen.uuid, 'name', { signing: { nonce } }));
    await expectRefusal(await callPerson(token, citizen.uuid, 'name', { signing: { nonce } }), 401, /nonce/);
  });

  test('no Bearer, or one that is not ours → 401', async () => {
    await expectRefusal(await callPerson(token, citizen.uuid, 'name', { bearer: null }), 401, /Bearer/);
    await expectRefusal(
      await callPerson(token, citizen.uuid, 'name', { bearer: 'not.a.jwt' }),
      401,
      /access token is invalid/,
    );
  });
});
