import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { createAccessTokens } from '../src/access-token.ts';
import { SimulatorError } from '../src/http.ts';
import {
  createPkiSignVerifier,
  type PkiSignFailure,
  PkiSignRejected,
  parsePkiSignAuthorization,
  pkiSignBaseString,
} from '../src/pki-sign-verifier.ts';
import { SingleUseStore } from '../src/single-use-store.ts';

/**
 * The simulators' building blocks, where a clock can be injected: PKI_SIGN parsing and
 * verification, expiring single-use codes, and access-token claims (expiry included, which the
 * HTTP-level tests cannot wait ten minutes for).
 */
const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APP = 'STG2-SECPASS-BIZ-TEST';
const SIG = 'c2lnbmF0dXJl';

const header = (fields: string) => `PKI_SIGN ${fields}`;
const complete = `app_id="${APP}",nonce="n1",signature_method="RS256",signature="${SIG}",timestamp="1"`;

const rejectsWith = (reason: PkiSignFailure, work: () => unknown) =>
  assert.throws(work, (error: unknown) => error instanceof PkiSignRejected && error.reason === reason);

describe('PKI_SIGN header parsing', () => {
  test('the five parameters in any order, optionally followed by ,Bearer <token>', () => {
    const reordered = header(
      `app_id="${APP}",timestamp="1",nonce="n1",signature_method="RS256",signature="${SIG}"`,
    );
    assert.deepEqual(parsePkiSignAuthorization(reordered), {
      appId: APP,
      nonce: 'n1',
      signatureMethod: 'RS256',
      signature: SIG,
      timestamp: '1',
    });
    assert.equal(parsePkiSignAuthorization(header(`${complete},Bearer aaa.bbb.ccc`)).bearer, 'aaa.bbb.ccc');
    assert.equal(parsePkiSignAuthorization(header(complete.replaceAll('",', '", '))).nonce, 'n1');
  });

  test('refuses a missing header, another scheme, and anything but the five parameters once each', () => {
    rejectsWith('missing_header', () => parsePkiSignAuthorization(undefined));
    rejectsWith('malformed_header', () => parsePkiSignAuthorization(`Bearer ${SIG}`));
    rejectsWith('malformed_header', () => parsePkiSignAuthorization(header(`${complete},nonce="n2"`)));
    rejectsWith('malformed_header', () => parsePkiSignAuthorization(header(`${complete},realm="x"`)));
    rejectsWith('malformed_header', () =>
      parsePkiSignAuthorization(header(complete.replace('nonce="n1"', 'nonce=""'))),
    );
    rejectsWith('malformed_header', () =>
      parsePkiSignAuthorization(header(complete.replace(',timestamp="1"', ''))),
    );
    rejectsWith('malformed_header', () => parsePkiSignAuthorization(header(`${complete} trailing`)));
    rejectsWith('malformed_header', () => parsePkiSignAuthorization(header(`${complete},Bearer `)));
  });
});

describe('PKI_SIGN base string', () => {
  test('matches the spec: METHOD&URL&params plus app_id, nonce, signature_method, timestamp, sorted, unencoded', () => {
    const auth = parsePkiSignAuthorization(
      header(
        `app_id="${APP}",nonce="150590021034800",signature_method="RS256",signature="${SIG}",timestamp="1505900210349"`,
      ),
    );
    const base = pkiSignBaseString(
      {
        method: 'GET',
        url: 'https://test.api.myinfo.gov.sg/biz/v2/entity-person/201912345K/S9812381D/',
        params: new Map([
          ['client_id', APP],
          ['attributes', 'basic-profile,name,uinfin'],
          ['subentity', 'PARTNER001'],
        ]),
      },
      auth,
    );
    assert.equal(
      base,
      'GET&https://test.api.myinfo.gov.sg/biz/v2/entity-person/201912345K/S9812381D/' +
        `&app_id=${APP}&attributes=basic-profile,name,uinfin&client_id=${APP}&nonce=150590021034800` +
        '&signature_method=RS256&subentity=PARTNER001&timestamp=1505900210349',
    );
  });

  test('a request parameter named like a PKI_SIGN parameter is ambiguous and refused', () => {
    const auth = parsePkiSignAuthorization(header(complete));
    rejectsWith('malformed_header', () =>
      pkiSignBaseString({ method: 'POST', url: 'http://x/token', params: new Map([['nonce', 'n9']]) }, auth),
    );
  });
});

describe('PKI_SIGN verification', () => {
  const url = 'http://127.0.0.1:5999/biz/v2/token';
  const params = new Map([
    ['code', 'abc'],
    ['client_id', APP],
  ]);
  const at = 1_700_000_000_000;
  const verifier = (clock: { now: number }) =>
    createPkiSignVerifier({
      publicKeyFor: (appId) => (appId === APP ? client.publicKey : undefined),
      now: () => clock.now,
    });
  const sign = (
    key: KeyObject,
    nonce: string,
    timestamp: number,
    encoding: 'base64' | 'base64url' = 'base64',
  ) => {
    const auth = {
      appId: APP,
      nonce,
      signatureMethod: 'RS256',
      signature: 'unused',
      timestamp: String(timestamp),
    };
    const signature = createSign('RSA-SHA256')
      .update(pkiSignBaseString({ method: 'POST', url, params }, auth))
      .sign(key, encoding);
    return header(
      `app_id="${APP}",nonce="${nonce}",signature_method="RS256",signature="${signature}",timestamp="${timestamp}"`,
    );
  };

  test('standard or URL-safe base64 signatures verify; another key, or text that is not base64, does not', () => {
    const clock = { now: at };
    const check = verifier(clock);
    assert.equal(
      check.verify({ authorization: sign(client.privateKey, 'a', at), method: 'POST', url, params }).nonce,
      'a',
    );
    assert.equal(
      check.verify({
        authorization: sign(client.privateKey, 'b', at, 'base64url'),
        method: 'POST',
        url,
        params,
      }).nonce,
      'b',
    );
    rejectsWith('bad_signature', () =>
      check.verify({ authorization: sign(stranger.privateKey, 'c', at), method: 'POST', url, params }),
    );
    const percentEncoded = sign(client.privateKey, 'd', at).replace(
      /signature="([^"]+)"/,
      (_, s: string) => `signature="${encodeURIComponent(`${s}+`)}"`,
    );
    rejectsWith('malformed_header', () =>
      check.verify({ authorization: percentEncoded, method: 'POST', url, params }),
    );
  });

  test('an unknown app, another signature_method, or a stale timestamp is refused before the signature', () => {
    const check = verifier({ now: at });
    rejectsWith('unknown_app', () =>
      check.verify({
        authorization: sign(client.privateKey, 'e', at).replace(APP, 'OTHER'),
        method: 'POST',
        url,
        params,
      }),
    );
    rejectsWith('unsupported_method', () =>
      check.verify({
        authorization: sign(client.privateKey, 'f', at).replace('"RS256"', '"HS256"'),
        method: 'POST',
        url,
        params,
      }),
    );
    rejectsWith('stale_timestamp', () =>
      check.verify({
        authorization: sign(client.privateKey, 'g', at - 300_001),
        method: 'POST',
        url,
        params,
      }),
    );
    assert.ok(
      check.verify({
        authorization: sign(client.privateKey, 'h', at - 300_000),
        method: 'POST',
        url,
        params,
      }),
    );
  });

  test('a nonce is refused while its timestamp could still pass, and a forged request cannot burn it', () => {
    const clock = { now: at };
    const check = verifier(clock);
    rejectsWith('bad_signature', () =>
      check.verify({ authorization: sign(stranger.privateKey, 'n', at), method: 'POST', url, params }),
    );
    assert.ok(check.verify({ authorization: sign(client.privateKey, 'n', at), method: 'POST', url, params }));
    clock.now = at + 240_000;
    rejectsWith('replayed_nonce', () =>
      check.verify({
        authorization: sign(client.privateKey, 'n', at + 200_000),
        method: 'POST',
        url,
        params,
      }),
    );
  });
});

describe('single-use store', () => {
  test('valid once, then used; unknown when never issued; expired after its lifetime', () => {
    const clock = { now: 0 };
    const store = new SingleUseStore<string>(5 * 60_000, () => clock.now);
    const key = store.issue('grant');
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(store.lookup(key), { state: 'valid', value: 'grant' });
    store.consume(key);
    assert.deepEqual(store.lookup(key), { state: 'used' });
    assert.deepEqual(store.lookup('guess'), { state: 'unknown' });
    const late = store.issue('late');
    clock.now = 5 * 60_000;
    assert.deepEqual(store.lookup(late), { state: 'expired' });
  });
});

describe('access tokens', () => {
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const issuer = 'http://127.0.0.1:5999/biz/v2';
  const tokens = createAccessTokens({ ...signing, issuer, audience: APP });
  const rejects401 = (token: string, reason: RegExp) =>
    assert.rejects(
      tokens.verify(token),
      (error: unknown) =>
        error instanceof SimulatorError && error.status === 401 && reason.test(error.message),
    );
  const handMade = (
    claims: { iss?: string; aud?: string; exp?: number },
    key: KeyObject = signing.privateKey,
  ) =>
    new SignJWT({ scope: ['name'] })
      .setProtectedHeader({ alg: 'RS256' })
      .setSubject('201912345K_S9812381D')
      .setIssuer(claims.iss ?? issuer)
      .setAudience(claims.aud ?? APP)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '10m')
      .setJti('j')
      .sign(key);

  test('what it issues verifies back to the same subject and scope', async () => {
    const token = await tokens.issue({ subject: '201912345K_S9812381D', scope: ['basic-profile', 'name'] });
    assert.deepEqual(await tokens.verify(token), {
      subject: '201912345K_S9812381D',
      scope: ['basic-profile', 'name'],
    });
  });

  test('expired, for another audience or issuer, or signed by another key → 401', async () => {
    await rejects401(await handMade({ exp: Math.floor(Date.now() / 1000) - 1 }), /expired/);
    await rejects401(await handMade({ aud: 'OTHER' }), /invalid/);
    await rejects401(await handMade({ iss: 'http://elsewhere/biz/v2' }), /invalid/);
    await rejects401(await handMade({}, stranger.privateKey), /invalid/);
    await rejects401(`${(await handMade({})).split('.').slice(0, 2).join('.')}.`, /invalid/);
  });
});
