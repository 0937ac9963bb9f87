import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  createSecpassClient,
  type SecpassClient,
  SecpassTokenError,
  type TokenRefusal,
} from '../../packages/client/src/index.ts';
import { APP_ID, type FakeSecpass, ISSUER, JWKS_URL, startFakeSecpass } from './fake-secpass.ts';

let secpass: FakeSecpass;
before(async () => {
  secpass = await startFakeSecpass();
});

const clientOf = (overrides: { appId?: string; issuer?: string } = {}): SecpassClient =>
  createSecpassClient({
    baseUrl: ISSUER,
    apiKey: 'unused',
    appId: overrides.appId ?? APP_ID,
    privateKey: secpass.appPrivateJwk,
    issuer: overrides.issuer ?? ISSUER,
    jwksUrl: JWKS_URL,
    fetch: secpass.fetch,
  });

const refusedBecause = (reason: TokenRefusal) => (error: unknown) =>
  error instanceof SecpassTokenError && error.reason === reason;

const now = () => Math.floor(Date.now() / 1000);
const PERSON = {
  uinfin: { value: 'S9812381D', source: '1', classification: 'C', lastupdated: '2024-01-01' },
};

describe('openDataToken', () => {
  test('opens a token sealed for this app: the payload parsed, its exact bytes, and the binding', async () => {
    const token = await secpass.sealData(PERSON);
    const opened = await clientOf().openDataToken<typeof PERSON>(token);
    assert.deepEqual(opened.payload, PERSON);
    assert.equal(new TextDecoder().decode(opened.bytes), JSON.stringify(PERSON));
    assert.equal(opened.binding.aud, APP_ID);
    assert.equal(opened.binding.iss, ISSUER);
    assert.equal(opened.binding.kid, 'secpass-test-1');
    assert.equal(opened.binding.exp - opened.binding.iat, 300);
  });

  test('refuses a token bound to another app, with the message naming the check', async () => {
    const token = await secpass.sealData(PERSON, { header: { aud: 'another-app' } });
    await assert.rejects(clientOf().openDataToken(token), refusedBecause('wrong_audience'));
    await assert.rejects(clientOf().openDataToken(token), /sealed for another app/);
  });

  test('refuses a token from another Secpass', async () => {
    const token = await secpass.sealData(PERSON);
    await assert.rejects(
      clientOf({ issuer: 'https://other-secpass.test/v1/' }).openDataToken(token),
      refusedBecause('wrong_issuer'),
    );
  });

  test('refuses an expired token, and accepts one just past exp within the clock tolerance', async () => {
    const expired = await secpass.sealData(PERSON, { header: { iat: now() - 400, exp: now() - 100 } });
    await assert.rejects(clientOf().openDataToken(expired), refusedBecause('expired'));
    const justPast = await secpass.sealData(PERSON, { header: { iat: now() - 310, exp: now() - 10 } });
    assert.deepEqual((await clientOf().openDataToken(justPast)).payload, PERSON);
  });

  test('refuses a token issued in the future, and one without iat/exp', async () => {
    const future = await secpass.sealData(PERSON, { header: { iat: now() + 120, exp: now() + 420 } });
    await assert.rejects(clientOf().openDataToken(future), refusedBecause('not_yet_valid'));
    const undated = await secpass.sealData(PERSON, { header: { iat: undefined, exp: '9999999999' } });
    await assert.rejects(clientOf().openDataToken(undated), refusedBecause('malformed'));
  });

  test('pins the algorithms: ECDH-ES+A256KW, A128GCM and an ES384 signature are refused', async () => {
    for (const options of [
      { jweAlg: 'ECDH-ES+A256KW' as const },
      { enc: 'A128GCM' as const },
      { signAlg: 'ES384' as const },
    ]) {
      const token = await secpass.sealData(PERSON, options);
      await assert.rejects(
        clientOf().openDataToken(token),
        refusedBecause('algorithm_not_allowed'),
        JSON.stringify(options),
      );
    }
  });

  test("refuses a token encrypted to another app's key", async () => {
    const token = await secpass.sealData(PERSON, { encryptTo: await secpass.otherAppPublicKey() });
    await assert.rejects(clientOf().openDataToken(token), refusedBecause('undecryptable'));
  });

  test('refuses a signature by a key Secpass does not publish, under its kid or another', async () => {
    const forger = await secpass.otherKey();
    const sameKid = await secpass.sealData(PERSON, { signWith: forger });
    await assert.rejects(clientOf().openDataToken(sameKid), refusedBecause('bad_signature'));
    const unknownKid = await secpass.sealData(PERSON, { signWith: forger, header: { kid: 'forged' } });
    await assert.rejects(clientOf().openDataToken(unknownKid), refusedBecause('unknown_key'));
  });

  test('fetches the JWKS once and keeps it for later tokens', async () => {
    const client = clientOf();
    const before = secpass.jwksFetches();
    const tokens = await Promise.all([1, 2, 3].map((n) => secpass.sealData({ n })));
    for (const token of tokens) await client.openDataToken(token);
    await client.verifyLoginToken(await secpass.signLogin({}));
    assert.equal(secpass.jwksFetches() - before, 1);
  });
});

describe('verifyLoginToken', () => {
  test('verifies a login token and gives the uuid and expiry', async () => {
    const exp = now() + 300;
    const login = await clientOf().verifyLoginToken(await secpass.signLogin({ exp }));
    assert.equal(login.uuid, 'b6cb9308-733b-42b3-ad38-9b5afc890206');
    assert.equal(login.claims.sub, 'u=b6cb9308-733b-42b3-ad38-9b5afc890206');
    assert.equal(login.claims.aud, APP_ID);
    assert.equal(login.expiresAt.getTime(), exp * 1000);
  });

  test('refuses the wrong audience, issuer, an expired token, ES384 and a subject that is not u=<uuid>', async () => {
    const cases: [string, Promise<string>, TokenRefusal][] = [
      ['aud', secpass.signLogin({ aud: 'another-app' }), 'wrong_audience'],
      ['iss', secpass.signLogin({ iss: 'https://other.test/' }), 'wrong_issuer'],
      ['exp', secpass.signLogin({ iat: now() - 600, exp: now() - 300 }), 'expired'],
      ['alg', secpass.signLogin({}, { alg: 'ES384' }), 'algorithm_not_allowed'],
      ['sub', secpass.signLogin({ sub: 'S9812381D' }), 'malformed'],
      ['signature', secpass.signLogin({}, { key: await secpass.otherKey() }), 'bad_signature'],
    ];
    for (const [label, token, reason] of cases) {
      await assert.rejects(clientOf().verifyLoginToken(await token), refusedBecause(reason), label);
    }
  });
});
