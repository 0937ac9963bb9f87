import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { mockpassKeys } from '@secpass/simulators/mockpass';
import {
  CompactEncrypt,
  compactDecrypt,
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  importPKCS8,
  importX509,
} from 'jose';
import { openSecpassToken } from '../../local/demo-app/open-token.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { demoApp } from '../helpers/assertions.ts';
import {
  myinfoConsent,
  myinfoToken,
  PERSONAS,
  secpassOf,
  tokenQuery,
  useMyinfoBase,
} from '../helpers/flows.ts';
import { startMyinfoProxy } from '../helpers/myinfo-proxy.ts';

const require = createRequire(import.meta.url);
const mockpassPersonas = JSON.parse(
  readFileSync(require.resolve('@opengovsg/mockpass/static/myinfo/v3.json'), 'utf8'),
) as { personas: Record<string, Record<string, unknown>> };

let stack: LocalStack;
before(async () => {
  stack = await startLocalStack();
});
after(async () => {
  await stack?.stop();
});

const app = (n: number) => demoApp(stack, n);

describe('Myinfo v3 through Secpass, happy path', () => {
  for (const [label, persona] of Object.entries(PERSONAS)) {
    test(`${label} (${persona.nric[0]}) gets a sealed token the app opens and verifies`, async () => {
      const { code, state } = await myinfoConsent(stack, app(0), persona);
      const response = await myinfoToken(stack, app(0).apiKey, tokenQuery(code, state));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/jose');
      const token = await response.text();

      const header = decodeProtectedHeader(token);
      assert.equal(header.alg, 'ECDH-ES');
      assert.equal(header.enc, 'A256GCM');
      const { payload, kid } = await openSecpassToken(token, app(0), secpassOf(stack));
      assert.ok(kid, 'the inner JWS names its key');

      const person = JSON.parse(new TextDecoder().decode(payload)) as Record<string, { value?: string }>;
      assert.equal(person.uinfin?.value, persona.nric);
      const expected = mockpassPersonas.personas[persona.nric];
      assert.deepEqual(person.name, expected?.name);
    });
  }

  test('the other app cannot open a token sealed for the first', async () => {
    const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.citizen);
    const token = await (await myinfoToken(stack, app(0).apiKey, tokenQuery(code, state))).text();
    await assert.rejects(openSecpassToken(token, app(1), secpassOf(stack)));
  });

  test('a JWS one app decrypted and re-sealed to another app verifies, yet the other app refuses it: it names its app', async () => {
    const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.citizen);
    const token = await (await myinfoToken(stack, app(0).apiKey, tokenQuery(code, state))).text();
    const { plaintext: jws } = await compactDecrypt(token, await importJWK(app(0).privateJwk, 'ECDH-ES'));
    const { d: _private, ...otherAppPublicJwk } = app(1).privateJwk;
    const resealed = await new CompactEncrypt(jws)
      .setProtectedHeader({ alg: 'ECDH-ES', enc: 'A256GCM', cty: 'JWT' })
      .encrypt(await importJWK(otherAppPublicJwk, 'ECDH-ES'));
    await assert.rejects(openSecpassToken(resealed, app(1), secpassOf(stack)), /sealed for another app/);
    await assert.rejects(
      openSecpassToken(token, app(0), { ...secpassOf(stack), issuer: 'https://another-secpass.example' }),
      /not issued by this Secpass/,
    );
    const header = decodeProtectedHeader(new TextDecoder().decode(jws));
    assert.equal(header.aud, app(0).appId);
    assert.equal(header.iss, stack.gatewayUrl);
    assert.equal((header.exp as number) - (header.iat as number), 300);
  });

  test('init redirects to Myinfo authorise with the app record, a fresh state and the registered callback', async () => {
    const first = await fetch(`${stack.gatewayUrl}/myinfo/init`, {
      headers: { Authorization: `Basic ${app(1).apiKey}` },
      redirect: 'manual',
    });
    const second = await fetch(`${stack.gatewayUrl}/myinfo/init`, {
      headers: { Authorization: `Basic ${app(1).apiKey}` },
      redirect: 'manual',
    });
    assert.equal(first.status, 302);
    assert.equal(first.headers.get('cache-control'), 'no-store');
    const url = new URL(first.headers.get('location') ?? '');
    assert.equal(`${url.origin}${url.pathname}`, `${stack.upstreams.mockpass}/myinfo/v3/authorise`);
    assert.equal(url.searchParams.get('client_id'), 'STG2-SECPASS-LOCAL');
    assert.equal(url.searchParams.get('redirect_uri'), app(1).callbacks.myinfo);
    assert.equal(url.searchParams.get('purpose'), 'Sign up with Demo app 2');
    assert.match(url.searchParams.get('attributes') ?? '', /^uinfin,name,/);
    const otherState = new URL(second.headers.get('location') ?? '').searchParams.get('state');
    assert.match(url.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(url.searchParams.get('state'), otherState);
  });

  test('the person payload is byte-for-byte what Myinfo signed', async () => {
    const proxy = await startMyinfoProxy(stack.upstreams.mockpass);
    const original = process.env.MYINFO_BASE_URL;
    try {
      useMyinfoBase(proxy.myinfoBaseUrl);
      const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.foreignerF);
      const token = await (await myinfoToken(stack, app(0).apiKey, tokenQuery(code, state))).text();
      const { payload } = await openSecpassToken(token, app(0), secpassOf(stack));

      const ourKey = await importPKCS8(mockpassKeys.relyingPartyPrivateKeyPem, 'RSA-OAEP');
      const { plaintext } = await compactDecrypt(proxy.lastPersonJwe ?? '', ourKey);
      const signed = await compactVerify(
        new TextDecoder().decode(plaintext),
        await importX509(mockpassKeys.mockpassCertificatePem, 'RS256'),
      );
      assert.deepEqual(Buffer.from(payload), Buffer.from(signed.payload));
    } finally {
      useMyinfoBase(original ?? '');
      await proxy.stop();
    }
  });
});
