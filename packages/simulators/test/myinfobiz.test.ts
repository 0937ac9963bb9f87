import assert from 'node:assert/strict';
import {
  createPrivateKey,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  randomUUID,
} from 'node:crypto';
import { Agent, get, request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { compactDecrypt, compactVerify, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { mockpassKeys } from '../src/mockpass.ts';
import {
  MYINFOBIZ_PERSONAS,
  type MyinfoBizPersona,
  type MyinfoBizSimulator,
  startMyinfoBizSimulator,
} from '../src/myinfobiz/index.ts';

/**
 * Drives the Myinfo Business simulator as a client would, signing every server-to-server call
 * with PKI_SIGN built here from the spec (not with Secpass's signer), and checks it refuses each
 * thing the real service refuses, for the reason the real service gives.
 */
const CLIENT_ID = 'STG2-SECPASS-BIZ-TEST';
const CLIENT_SECRET = 'simulator-client-secret';
const REDIRECT_URI = 'http://127.0.0.1:3001/myinfobiz/callback';
const STATE = 'state-7f3c';

const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

const persona = (n: number): MyinfoBizPersona => {
  const found = MYINFOBIZ_PERSONAS[n];
  if (!found) throw new Error(`no persona ${n}`);
  return found;
};
const localCompany = persona(0);
const llp = persona(1);
const soleProprietor = persona(2);

let sim: MyinfoBizSimulator;
before(async () => {
  sim = await startMyinfoBizSimulator({
    port: 0,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    clientPublicKeyPem: pem(client.publicKey),
  });
});
after(() => sim?.stop());

interface Signing {
  key?: KeyObject;
  appId?: string;
  nonce?: string;
  timestamp?: string;
  /** Sign for this URL instead of the one called. */
  url?: string;
  /** Sign these parameters instead of the ones sent. */
  params?: Record<string, string>;
}

const pkiSign = (
  method: 'GET' | 'POST',
  url: string,
  params: Record<string, string>,
  signing: Signing = {},
): string => {
  const auth = {
    app_id: signing.appId ?? CLIENT_ID,
    nonce: signing.nonce ?? randomBytes(16).toString('hex'),
    signature_method: 'RS256',
    timestamp: signing.timestamp ?? Date.now().toString(),
  };
  const pairs = Object.entries({ ...(signing.params ?? params), ...auth })
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`);
  const baseString = `${method}&${signing.url ?? url}&${pairs.join('&')}`;
  const signature = createSign('RSA-SHA256')
    .update(baseString)
    .sign(signing.key ?? client.privateKey, 'base64');
  return (
    `PKI_SIGN app_id="${auth.app_id}",nonce="${auth.nonce}",signature_method="RS256",` +
    `signature="${signature}",timestamp="${auth.timestamp}"`
  );
};

const authoriseUrl = (attributes: string, params: Record<string, string> = {}) => {
  const url = new URL(`${sim.baseUrl}/authorise`);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    attributes,
    purpose: 'opening a business account',
    state: STATE,
    redirect_uri: REDIRECT_URI,
    ...params,
  }).toString();
  return url;
};

const callbackParams = (response: Response): URLSearchParams => {
  assert.equal(response.status, 302);
  const location = response.headers.get('location') ?? '';
  assert.ok(location.startsWith(`${REDIRECT_URI}?`), `redirected to ${location}`);
  return new URL(location).searchParams;
};

/** Logs in as the persona by header (no consent page) and returns the authorisation code. */
const authorise = async (who: MyinfoBizPersona, attributes: string): Promise<string> => {
  const response = await fetch(authoriseUrl(attributes), {
    redirect: 'manual',
    headers: { 'X-Custom-NRIC': who.uinfin, 'X-Custom-UEN': who.uen },
  });
  const params = callbackParams(response);
  assert.equal(params.get('state'), STATE);
  const code = params.get('code');
  assert.ok(code);
  return code;
};

interface Call {
  signing?: Signing;
  /** A whole Authorization header instead of a computed one; null sends none. */
  authorization?: string | null;
}

const callToken = (code: string, body: Record<string, string> = {}, call: Call = {}) => {
  const url = `${sim.baseUrl}/token`;
  const params = {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    state: STATE,
    ...body,
  };
  const authorization =
    call.authorization === undefined ? pkiSign('POST', url, params, call.signing) : call.authorization;
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Cache-Control': 'no-cache',
      ...(authorization ? { Authorization: authorization } : {}),
    },
    body: new URLSearchParams(params).toString(),
  });
};

const accessTokenFor = async (who: MyinfoBizPersona, attributes: string): Promise<string> => {
  const response = await callToken(await authorise(who, attributes));
  assert.equal(response.status, 200, await response.clone().text());
  const { access_token } = (await response.json()) as { access_token: string };
  return access_token;
};

interface DataCall extends Call {
  /** Path segments other than the persona's own. */
  uen?: string;
  uinfin?: string;
  query?: Record<string, string>;
  /** The Bearer appended after the PKI_SIGN parameters; null appends none. */
  bearer?: string | null;
}

const callEntityPerson = (token: string, who: MyinfoBizPersona, attributes: string, call: DataCall = {}) => {
  const url = `${sim.baseUrl}/entity-person/${call.uen ?? who.uen}/${call.uinfin ?? who.uinfin}/`;
  const query = { client_id: CLIENT_ID, attributes, ...call.query };
  const signature = pkiSign('GET', url, query, call.signing);
  const bearer = call.bearer === undefined ? token : call.bearer;
  const authorization =
    call.authorization !== undefined
      ? call.authorization
      : bearer
        ? `${signature},Bearer ${bearer}`
        : signature;
  return fetch(`${url}?${new URLSearchParams(query)}`, {
    headers: { 'Cache-Control': 'no-cache', ...(authorization ? { Authorization: authorization } : {}) },
  });
};

type Payload = {
  entity: Record<string, Record<string, unknown>>;
  person: Record<string, Record<string, unknown>>;
};

/** Decrypts with our private key, then verifies with the simulator's key; both algorithms pinned. */
const openPayload = async (response: Response): Promise<Payload> => {
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
  return JSON.parse(new TextDecoder().decode(payload)) as Payload;
};

/** Myinfo's error shape, `{ code, message }` and nothing else, with the reason we expect. */
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
  test('three or more entities of different types, each with an officer who can log in', () => {
    assert.ok(MYINFOBIZ_PERSONAS.length >= 3);
    assert.equal(new Set(MYINFOBIZ_PERSONAS.map((p) => p.uen)).size, MYINFOBIZ_PERSONAS.length);
    const types = MYINFOBIZ_PERSONAS.map(
      (p) => (p.entity['basic-profile']['entity-type'] as { code: string }).code,
    );
    assert.deepEqual([...types].sort(), ['BN', 'LC', 'LL']);
    for (const p of MYINFOBIZ_PERSONAS) {
      assert.equal(p.subject, `${p.uen}_${p.uinfin}`);
      assert.ok(validUinfin(p.uinfin), `${p.uinfin} has a valid check letter`);
      const officers = p.entity.appointments['appointments-list'] as {
        'person-reference': { idno: { value: string } };
      }[];
      assert.ok(
        officers.some((o) => o['person-reference'].idno.value === p.uinfin),
        `${p.uinfin} holds an appointment in ${p.uen}`,
      );
      assert.equal((p.person.uinfin as { value: string }).value, p.uinfin);
    }
    assert.ok(
      MYINFOBIZ_PERSONAS.some((p) => /^[FG]/.test(p.uinfin)),
      'one officer is a foreigner',
    );
  });
});

describe('lifecycle', () => {
  test('listens on loopback only and publishes its public key', () => {
    assert.match(sim.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(sim.baseUrl, `${sim.url}/biz/v2`);
    assert.match(sim.certificatePem, /^-----BEGIN PUBLIC KEY-----/);
    assert.equal(createPublicKey(sim.certificatePem).asymmetricKeyType, 'rsa');
  });

  test('stop() closes idle keep-alive connections too, and nothing answers afterwards', async () => {
    const other = await startMyinfoBizSimulator({
      port: 0,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      clientPublicKeyPem: pem(client.publicKey),
    });
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      get(`${other.url}/nowhere`, { agent }, (res) => {
        res.resume();
        res.on('end', resolve);
      }).on('error', reject);
    });
    await other.stop();
    await assert.rejects(fetch(`${other.url}/biz/v2/authorise`));
    agent.destroy();
  });

  test('accepts the client key as an X.509 certificate, and refuses a key that is not RSA', async () => {
    const withCert = await startMyinfoBizSimulator({
      port: 0,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      clientPublicKeyPem: mockpassKeys.relyingPartyCertificatePem,
    });
    try {
      const url = `${withCert.baseUrl}/token`;
      const params = { grant_type: 'authorization_code', code: 'nope', redirect_uri: REDIRECT_URI };
      const body = { ...params, client_id: CLIENT_ID, client_secret: CLIENT_SECRET };
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: pkiSign('POST', url, body, {
            key: createPrivateKey(mockpassKeys.relyingPartyPrivateKeyPem),
          }),
        },
        body: new URLSearchParams(body).toString(),
      });
      // past the signature check (401), stopped at the code (400)
      await expectRefusal(response, 400, /authorisation code is invalid/);
    } finally {
      await withCert.stop();
    }
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await assert.rejects(
      startMyinfoBizSimulator({
        port: 0,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        clientPublicKeyPem: pem(ec.publicKey),
      }),
      /RSA/,
    );
  });
});

describe('happy path', () => {
  test('authorise by header → code → token → entity-person: exactly the requested attributes', async () => {
    const attributes = 'basic-profile,appointments,uinfin,name,regadd,mobileno';
    const code = await authorise(localCompany, attributes);

    const tokenResponse = await callToken(code);
    assert.equal(tokenResponse.status, 200);
    const token = (await tokenResponse.json()) as Record<string, unknown>;
    assert.equal(token.token_type, 'Bearer');
    assert.equal(token.expires_in, 600);
    const { payload: claims, protectedHeader } = await jwtVerify(
      String(token.access_token),
      createPublicKey(sim.certificatePem),
      { algorithms: ['RS256'], issuer: sim.baseUrl, audience: CLIENT_ID },
    );
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(claims.sub, `${localCompany.uen}_${localCompany.uinfin}`);
    assert.deepEqual(claims.scope, attributes.split(','));
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 600);
    assert.equal(typeof claims.jti, 'string');

    const data = await openPayload(
      await callEntityPerson(String(token.access_token), localCompany, attributes),
    );
    assert.deepEqual(Object.keys(data).sort(), ['entity', 'person']);
    assert.deepEqual(Object.keys(data.entity).sort(), ['appointments', 'basic-profile']);
    assert.deepEqual(Object.keys(data.person).sort(), ['mobileno', 'name', 'regadd', 'uinfin']);
    assert.deepEqual(data.entity['basic-profile']?.uen, { value: localCompany.uen });
    assert.deepEqual(data.entity['basic-profile']?.['entity-type'], { code: 'LC', desc: 'Local Company' });
    assert.equal(data.entity['basic-profile']?.source, '1');
    assert.deepEqual(data.person.uinfin?.value, localCompany.uinfin);
    assert.equal(data.person.regadd?.type, 'SG');
    assert.deepEqual(data.person.regadd?.postal, { value: '460102' });
    assert.deepEqual(data.person.mobileno, localCompany.person.mobileno);
    assert.deepEqual(data.entity.appointments, localCompany.entity.appointments);
  });

  test('a foreign officer: regadd comes back "not applicable" (source 3), passtype applies', async () => {
    const attributes = 'basic-profile,addresses,uinfin,regadd,passtype,nationality';
    const token = await accessTokenFor(llp, attributes);
    const data = await openPayload(await callEntityPerson(token, llp, attributes));
    assert.match(llp.uinfin, /^[FG]/);
    assert.equal(data.person.regadd?.source, '3');
    assert.deepEqual(data.person.regadd?.postal, { value: '' });
    assert.equal(data.person.passtype?.source, '1');
    assert.deepEqual(data.person.nationality, { ...llp.person.nationality });
    const addresses = data.entity.addresses?.['addresses-list'] as Record<string, unknown>[];
    assert.equal(addresses.length, 1);
    assert.deepEqual(addresses[0]?.standard, {
      code: 'D',
      desc: 'SINGAPORE GOVERNMENT DATA REFERENCE MODEL',
    });
  });

  test('a subset of the consented attributes may be asked for, with a signed subentity', async () => {
    const token = await accessTokenFor(soleProprietor, 'basic-profile,appointments,name,email');
    const data = await openPayload(
      await callEntityPerson(token, soleProprietor, 'name,basic-profile', {
        query: { subentity: '201912345K' },
      }),
    );
    assert.deepEqual(Object.keys(data.entity), ['basic-profile']);
    assert.deepEqual(Object.keys(data.person), ['name']);
    assert.deepEqual(data.entity['basic-profile']?.['business-constitution'], {
      code: 'S',
      desc: 'Sole-Proprietor',
    });
  });
});

const FORM = /<form action="([^"]+)" method="post">([\s\S]*?)<\/form>/;
const decodeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const consentForm = async (attributes: string, purpose: string) => {
  const response = await fetch(authoriseUrl(attributes, { purpose }), { redirect: 'manual' });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  const html = await response.text();
  const form = FORM.exec(html);
  assert.ok(form?.[1] && form[2] !== undefined, 'the page has a POST form');
  const transaction = /<input type="hidden" name="transaction" value="([^"]+)">/.exec(form[2])?.[1];
  const personas = [...form[2].matchAll(/<input type="radio" name="persona" value="([^"]+)"/g)].map((m) =>
    decodeHtml(m[1] ?? ''),
  );
  assert.ok(transaction);
  return {
    html,
    action: new URL(decodeHtml(form[1]), sim.url).toString(),
    transaction: decodeHtml(transaction),
    personas,
  };
};

const submitConsent = (action: string, fields: Record<string, string>) =>
  fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

/** POSTs a form over node:http, which (unlike fetch) lets the test choose the Host header. */
const postFormWithHost = (url: string, host: string, headers: Record<string, string>, body: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, Host: host } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });

describe('base string URL', () => {
  test('is scheme://host/path as the client called it: from the Host header, not our own address', async () => {
    const host = `localhost:${new URL(sim.url).port}`;
    const calledAs = `http://${host}/biz/v2/token`;
    const params = {
      grant_type: 'authorization_code',
      code: await authorise(localCompany, 'name'),
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    };
    const send = (signedFor: string) =>
      postFormWithHost(
        `${sim.baseUrl}/token`,
        host,
        {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: pkiSign('POST', signedFor, params),
        },
        new URLSearchParams(params).toString(),
      );
    const refused = await send(`${sim.baseUrl}/token`);
    assert.equal(refused.status, 401, refused.body);
    assert.match(refused.body, /signature/);
    const accepted = await send(calledAs);
    assert.equal(accepted.status, 200, accepted.body);
  });
});

describe('consent page (no persona headers)', () => {
  test('shows purpose and attributes, lets the user pick a persona, and the flow completes', async () => {
    const page = await consentForm('basic-profile,name,shareholders', 'KYC <b>check</b> & onboarding');
    assert.ok(page.html.includes('KYC &lt;b&gt;check&lt;/b&gt; &amp; onboarding'), 'purpose shown, escaped');
    assert.ok(!page.html.includes('<b>check</b>'));
    assert.match(page.html, /<li>basic-profile<\/li>/);
    assert.match(page.html, /<li>shareholders <em>\(not available/);
    assert.deepEqual(
      page.personas,
      MYINFOBIZ_PERSONAS.map((p) => p.subject),
    );

    const chosen = soleProprietor.subject;
    const params = callbackParams(
      await submitConsent(page.action, { transaction: page.transaction, persona: chosen, decision: 'allow' }),
    );
    assert.equal(params.get('state'), STATE);
    const response = await callToken(params.get('code') ?? '');
    assert.equal(response.status, 200);
    const { access_token } = (await response.json()) as { access_token: string };
    const { payload } = await jwtVerify(access_token, createPublicKey(sim.certificatePem), {
      algorithms: ['RS256'],
    });
    assert.equal(payload.sub, chosen);
    assert.deepEqual(
      payload.scope,
      ['basic-profile', 'name'],
      'what the service does not know is not consented',
    );

    // the pending request is single-use
    await expectRefusal(
      await submitConsent(page.action, { transaction: page.transaction, persona: chosen, decision: 'allow' }),
      400,
      /consent request is used/,
    );
  });

  test('deny → back to the app with error=access_denied and the state, no code', async () => {
    const page = await consentForm('name', 'testing');
    const params = callbackParams(
      await submitConsent(page.action, {
        transaction: page.transaction,
        persona: llp.subject,
        decision: 'deny',
      }),
    );
    assert.equal(params.get('error'), 'access_denied');
    assert.equal(params.get('error_description'), 'Resource Owner did not authorize the request');
    assert.equal(params.get('state'), STATE);
    assert.equal(params.get('code'), null);
  });

  test('an unknown transaction or persona is refused', async () => {
    const page = await consentForm('name', 'testing');
    await expectRefusal(
      await submitConsent(page.action, { transaction: 'forged', persona: llp.subject, decision: 'allow' }),
      400,
      /consent request is unknown/,
    );
    await expectRefusal(
      await submitConsent(page.action, {
        transaction: page.transaction,
        persona: `${llp.uen}_${localCompany.uinfin}`,
        decision: 'allow',
      }),
      400,
      /persona/,
    );
  });
});

describe('authorise refuses', () => {
  for (const name of ['client_id', 'attributes', 'purpose', 'state', 'redirect_uri']) {
    test(`a request without ${name} → 400`, async () => {
      const url = authoriseUrl('name');
      url.searchParams.delete(name);
      await expectRefusal(await fetch(url, { redirect: 'manual' }), 400, new RegExp(`${name} is required`));
    });
  }

  test('an unknown client_id, a relative redirect_uri, a repeated parameter → 400', async () => {
    await expectRefusal(
      await fetch(authoriseUrl('name', { client_id: 'SOMEONE-ELSE' }), { redirect: 'manual' }),
      400,
      /client_id is not registered/,
    );
    await expectRefusal(
      await fetch(authoriseUrl('name', { redirect_uri: '/callback' }), { redirect: 'manual' }),
      400,
      /redirect_uri/,
    );
    await expectRefusal(
      await fetch(`${authoriseUrl('name')}&state=again`, { redirect: 'manual' }),
      400,
      /repeated/,
    );
  });

  test('persona headers naming no known officer of that entity → 400', async () => {
    for (const [nric, uen] of [
      ['S1234567D', localCompany.uen],
      [localCompany.uinfin, llp.uen],
    ]) {
      await expectRefusal(
        await fetch(authoriseUrl('name'), {
          redirect: 'manual',
          headers: { 'X-Custom-NRIC': nric ?? '', 'X-Custom-UEN': uen ?? '' },
        }),
        400,
        /no known officer/,
      );
    }
  });
});

describe('token refuses', () => {
  const code = () => authorise(localCompany, 'basic-profile,name');

  test('no Authorization header, or another scheme → 401', async () => {
    await expectRefusal(await callToken(await code(), {}, { authorization: null }), 401, /missing/);
    await expectRefusal(
      await callToken(await code(), {}, { authorization: 'Bearer abc' }),
      401,
      /PKI_SIGN scheme/,
    );
  });

  test('a signature by another key → 401, and the code is not spent by the refusal', async () => {
    const once = await code();
    await expectRefusal(
      await callToken(once, {}, { signing: { key: stranger.privateKey } }),
      401,
      /signature/,
    );
    assert.equal((await callToken(once)).status, 200);
  });

  test('a signature over other parameters or another URL than the call → 401', async () => {
    const url = `${sim.baseUrl}/token`;
    const sent = {
      grant_type: 'authorization_code',
      code: await code(),
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      state: STATE,
    };
    await expectRefusal(
      await callToken(sent.code, {}, { signing: { params: { ...sent, redirect_uri: `${REDIRECT_URI}/x` } } }),
      401,
      /signature/,
    );
    await expectRefusal(
      await callToken(sent.code, {}, { signing: { url: url.replace('127.0.0.1', 'localhost') } }),
      401,
      /signature/,
    );
    await expectRefusal(await callToken(sent.code, {}, { signing: { url: `${url}?x=1` } }), 401, /signature/);
    const { state: _left, ...withoutState } = sent;
    await expectRefusal(
      await callToken(sent.code, {}, { signing: { params: withoutState } }),
      401,
      /signature/,
    );
  });

  test('an unknown app_id, or a client_id other than the app_id → 401', async () => {
    await expectRefusal(
      await callToken(await code(), {}, { signing: { appId: 'OTHER-APP' } }),
      401,
      /app_id/,
    );
    await expectRefusal(await callToken(await code(), { client_id: 'OTHER-APP' }), 401, /client_id/);
  });

  test('a wrong client secret → 401', async () => {
    await expectRefusal(await callToken(await code(), { client_secret: 'guess' }), 401, /client_secret/);
  });

  test('a timestamp more than five minutes off, either way → 401', async () => {
    for (const offset of [-6 * 60_000, 6 * 60_000]) {
      const timestamp = (Date.now() + offset).toString();
      await expectRefusal(await callToken(await code(), {}, { signing: { timestamp } }), 401, /timestamp/);
    }
    assert.equal(
      (await callToken(await code(), {}, { signing: { timestamp: `${Date.now() - 60_000}` } })).status,
      200,
    );
  });

  test('a nonce seen before → 401, even with a new code and a valid signature', async () => {
    const nonce = randomUUID();
    assert.equal((await callToken(await code(), {}, { signing: { nonce } })).status, 200);
    await expectRefusal(await callToken(await code(), {}, { signing: { nonce } }), 401, /nonce/);
  });

  test('a redirect_uri other than the one at authorise → 400', async () => {
    await expectRefusal(
      await callToken(await code(), { redirect_uri: 'http://127.0.0.1:3001/other' }),
      400,
      /redirect_uri does not match/,
    );
  });

  test('a code used twice → 400 on the second use, with a fresh signature', async () => {
    const once = await code();
    assert.equal((await callToken(once)).status, 200);
    await expectRefusal(await callToken(once), 400, /already been used/);
  });

  test('an unknown code, another grant_type, another state, a JSON body → 400', async () => {
    await expectRefusal(await callToken('made-up-code'), 400, /code is invalid/);
    await expectRefusal(
      await callToken(await code(), { grant_type: 'client_credentials' }),
      400,
      /grant_type/,
    );
    await expectRefusal(await callToken(await code(), { state: 'other' }), 400, /state does not match/);
    const response = await fetch(`${sim.baseUrl}/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ code: 'x' }),
    });
    await expectRefusal(response, 400, /Content-Type/);
  });
});

describe('entity-person refuses', () => {
  const ATTRIBUTES = 'basic-profile,name,uinfin';
  let token: string;
  before(async () => {
    token = await accessTokenFor(localCompany, ATTRIBUTES);
  });

  test('the same call, correctly signed, succeeds (so the refusals below are about one thing each)', async () => {
    const data = await openPayload(await callEntityPerson(token, localCompany, ATTRIBUTES));
    assert.deepEqual(Object.keys(data.person).sort(), ['name', 'uinfin']);
  });

  test('a UEN or UINFIN in the path other than the token subject → 401', async () => {
    await expectRefusal(await callEntityPerson(token, llp, ATTRIBUTES), 401, /does not match/);
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { uen: llp.uen }),
      401,
      /does not match/,
    );
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { uinfin: llp.uinfin }),
      401,
      /does not match/,
    );
  });

  test('an attribute not consented, or one the service does not have → 401', async () => {
    await expectRefusal(
      await callEntityPerson(token, localCompany, 'name,email'),
      401,
      /not consented: email/,
    );
    await expectRefusal(
      await callEntityPerson(token, localCompany, 'name,shareholders'),
      401,
      /not available: shareholders/,
    );
  });

  test('no Bearer, a garbage one, or one signed by someone else → 401', async () => {
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { bearer: null }),
      401,
      /Bearer/,
    );
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { bearer: 'not.a.jwt' }),
      401,
      /access token is invalid/,
    );
    const forged = await new SignJWT({ scope: ATTRIBUTES.split(',') })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setSubject(localCompany.subject)
      .setAudience(CLIENT_ID)
      .setIssuer(sim.baseUrl)
      .setIssuedAt()
      .setExpirationTime('10m')
      .setJti(randomUUID())
      .sign(stranger.privateKey);
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { bearer: forged }),
      401,
      /access token is invalid/,
    );
  });

  test('a bad signature: another key, %2C in the base string, other query than sent → 401', async () => {
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { signing: { key: stranger.privateKey } }),
      401,
      /signature/,
    );
    const encoded = { client_id: CLIENT_ID, attributes: encodeURIComponent(ATTRIBUTES) };
    assert.match(encoded.attributes, /%2C/);
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { signing: { params: encoded } }),
      401,
      /signature/,
    );
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, {
        signing: { params: { client_id: CLIENT_ID, attributes: 'name' } },
      }),
      401,
      /signature/,
    );
  });

  test('a replayed nonce or a stale timestamp → 401', async () => {
    const nonce = randomUUID();
    await openPayload(await callEntityPerson(token, localCompany, ATTRIBUTES, { signing: { nonce } }));
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { signing: { nonce } }),
      401,
      /nonce/,
    );
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, {
        signing: { timestamp: `${Date.now() - 10 * 60_000}` },
      }),
      401,
      /timestamp/,
    );
  });

  test('a client_id other than the app_id → 401; no attributes or an overlong subentity → 400', async () => {
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { query: { client_id: 'OTHER-APP' } }),
      401,
      /client_id/,
    );
    await expectRefusal(await callEntityPerson(token, localCompany, ''), 400, /attributes is required/);
    await expectRefusal(
      await callEntityPerson(token, localCompany, ATTRIBUTES, { query: { subentity: 'ABCDEFGHIJK' } }),
      400,
      /subentity/,
    );
  });

  test('the path needs its trailing slash, and the method must be GET', async () => {
    const url = `${sim.baseUrl}/entity-person/${localCompany.uen}/${localCompany.uinfin}`;
    await expectRefusal(await fetch(url), 404, /no such resource/);
    await expectRefusal(await fetch(`${url}/`, { method: 'POST' }), 405, /GET only/);
  });
});
