import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import {
  compactDecrypt,
  compactVerify,
  createLocalJWKSet,
  decodeProtectedHeader,
  importJWK,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { handler as jwksHandler } from '../../functions/jwks/handler.ts';
import { newAppKeyPair, newSigningJwk } from '../../local/dev-keys.ts';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { type SecretsEndpoint, startSecretsEndpoint } from '../../local/secrets-endpoint.ts';
import { secretsManagerSource } from '../../shared/adapters/secrets-manager.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import { tokenSealer } from '../../shared/crypto/secpass-token.ts';
import { withPublishedKeys } from '../../shared/secrets/publish-keys.ts';

let secrets: SecretsEndpoint;
const SIGNING = 'test/signing';
const PUBLIC_KEYS = 'test/public-keys';

/** As `npm run keys` writes them: the public halves (all the jwks function reads), then the keys. */
const putSigningKeys = (secret: string) => {
  secrets.put(PUBLIC_KEYS, withPublishedKeys(secrets.read(PUBLIC_KEYS), 'secpass', secret));
  secrets.put(SIGNING, secret);
};

before(async () => {
  secrets = await startSecretsEndpoint();
  useLocalEnvironment({
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    SECPASS_SIGNING_SECRET_ID: SIGNING,
    SECPASS_PUBLIC_KEYS_SECRET_ID: PUBLIC_KEYS,
    SECRETS_CACHE_SECONDS: '0',
    SECPASS_ISSUER: 'https://secpass.test',
  });
});
after(async () => {
  await secrets?.stop();
});

const publishedJwks = async (): Promise<JSONWebKeySet> => {
  const response = await jwksHandler(
    { httpMethod: 'GET', resource: '/.well-known/jwks.json' } as APIGatewayProxyEvent,
    {} as Context,
  );
  assert.equal(response.statusCode, 200);
  return JSON.parse(response.body) as JSONWebKeySet;
};

const tokens = tokenSealer(
  { issuer: 'https://secpass.test', ttlSeconds: 300, signingSecretId: () => SIGNING },
  { secrets: secretsManagerSource(), clock: systemClock },
);

const recipient = (app: { publicJwk: JWK }) => ({ appId: 'app_test', publicJwk: app.publicJwk });

const open = async (token: string, privateJwk: Parameters<typeof compactDecrypt>[1]) => {
  const { plaintext } = await compactDecrypt(token, privateJwk, {
    keyManagementAlgorithms: ['ECDH-ES'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  return new TextDecoder().decode(plaintext);
};

describe('Secpass data token', () => {
  test('JWE ECDH-ES/A256GCM to the app, around a JWS ES256 with kid over the exact payload bytes', async () => {
    const signing = await newSigningJwk();
    putSigningKeys(JSON.stringify({ keys: [signing] }));
    const app = await newAppKeyPair();
    // Odd spacing and key order: the bytes must survive untouched, not be re-serialised.
    const payload = new TextEncoder().encode('{ "uinfin":{"value":"S9812381D"},  "name":{"value":"TAN"} }');
    const token = await tokens.sealDataToken(payload, recipient(app));

    assert.deepEqual(
      { alg: decodeProtectedHeader(token).alg, enc: decodeProtectedHeader(token).enc },
      { alg: 'ECDH-ES', enc: 'A256GCM' },
    );
    const jws = await open(token, await importJWK(app.privateJwk, 'ECDH-ES'));
    const header = decodeProtectedHeader(jws);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.kid, signing.kid);
    // The binding lives in the signed header, since the payload is the upstream's own.
    assert.equal(header.aud, 'app_test');
    assert.equal(header.iss, 'https://secpass.test');
    const now = Math.floor(Date.now() / 1000);
    assert.ok(typeof header.iat === 'number' && Math.abs(header.iat - now) <= 5);
    assert.equal(header.exp, (header.iat as number) + 300);
    const verified = await compactVerify(jws, createLocalJWKSet(await publishedJwks()), {
      algorithms: ['ES256'],
    });
    assert.deepEqual(Buffer.from(verified.payload), Buffer.from(payload));
  });

  test('another key cannot open it, and a flipped byte is rejected', async () => {
    putSigningKeys(JSON.stringify({ keys: [await newSigningJwk()] }));
    const app = await newAppKeyPair();
    const stranger = await newAppKeyPair();
    const token = await tokens.sealDataToken(new TextEncoder().encode('{}'), recipient(app));
    await assert.rejects(open(token, await importJWK(stranger.privateJwk, 'ECDH-ES')));
    const parts = token.split('.');
    const ciphertext = parts[3] ?? '';
    parts[3] = `${ciphertext[0] === 'A' ? 'B' : 'A'}${ciphertext.slice(1)}`;
    await assert.rejects(open(parts.join('.'), await importJWK(app.privateJwk, 'ECDH-ES')));
  });

  test('after a rotation, tokens signed with the previous key still verify and new ones carry the new kid', async () => {
    const previous = await newSigningJwk();
    const next = await newSigningJwk();
    const app = await newAppKeyPair();
    const appKey = await importJWK(app.privateJwk, 'ECDH-ES');
    putSigningKeys(JSON.stringify({ keys: [previous] }));
    const before = await open(
      await tokens.sealDataToken(new TextEncoder().encode('{}'), recipient(app)),
      appKey,
    );
    putSigningKeys(JSON.stringify({ keys: [next, previous] }));
    const afterRotation = await open(
      await tokens.sealDataToken(new TextEncoder().encode('{}'), recipient(app)),
      appKey,
    );
    const jwks = createLocalJWKSet(await publishedJwks());
    assert.equal(
      (await compactVerify(before, jwks, { algorithms: ['ES256'] })).protectedHeader.kid,
      previous.kid,
    );
    assert.equal(
      (await compactVerify(afterRotation, jwks, { algorithms: ['ES256'] })).protectedHeader.kid,
      next.kid,
    );
  });

  test('the JWKS publishes public parts only', async () => {
    putSigningKeys(JSON.stringify({ keys: [await newSigningJwk()] }));
    for (const key of (await publishedJwks()).keys) {
      assert.equal('d' in key, false);
      assert.equal(key.alg, 'ES256');
    }
  });
});
