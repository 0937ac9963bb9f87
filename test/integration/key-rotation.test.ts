import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { headlessAuthorize } from '@secpass/simulators/singpass-fapi';
import { createRemoteJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import { writeDemoFile } from '../../local/demo-file.ts';
import { type DemoApp, type LocalStack, startLocalStack } from '../../local/stack.ts';
import { rotateSecret } from '../../scripts/keys.ts';
import type { KeyReport } from '../../shared/secrets/rotation.ts';
import { demoApp } from '../helpers/assertions.ts';
import { PERSONAS, postJson, singpassLogin } from '../helpers/flows.ts';

let stack: LocalStack;
before(async () => {
  // Functions re-read secrets on every request here, as warm ones do once their cache runs out.
  process.env.SECRETS_CACHE_SECONDS = '0';
  stack = await startLocalStack();
});
after(async () => {
  await stack?.stop();
});

const persona = PERSONAS.citizen;
const legacyApp = () => demoApp(stack, 0);
const fapiApp = () => demoApp(stack, 2);

const loginToken = async (app: DemoApp, login: { code: string; state: string }): Promise<string> => {
  const response = await postJson(stack, app.apiKey, '/oidc/singpass/userInfo', {
    authCode: login.code,
    state: login.state,
  });
  assert.equal(response.status, 200);
  return ((await response.json()) as { token: string }).token;
};

/** A Secpass login token through the real routes: MockPass Singpass login, then userInfo. */
const legacyLoginToken = async () =>
  loginToken(legacyApp(), await singpassLogin(stack, legacyApp(), persona));

/** The same through our Singpass FAPI 2.0 registration and its issuer, which caches our JWKS. */
const fapiLoginToken = async () => {
  const response = await postJson(stack, fapiApp().apiKey, '/oidc/singpass/authReqUri', { purpose: 'login' });
  assert.equal(response.status, 200);
  const { authReqUri } = (await response.json()) as { authReqUri: string };
  const callback = await headlessAuthorize(authReqUri, persona);
  return loginToken(fapiApp(), {
    code: callback.searchParams.get('code') ?? '',
    state: callback.searchParams.get('state') ?? '',
  });
};

/** As an app that has never seen our JWKS would verify: a fresh fetch, no cached keys. */
const verifyAsNewApp = (token: string, app: DemoApp) =>
  jwtVerify(token, createRemoteJWKSet(new URL(stack.secpassJwksUrl)), {
    algorithms: ['ES256'],
    issuer: stack.gatewayUrl,
    audience: app.appId,
  });

const publishedKeys = async (url: string): Promise<JWK[]> => {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  return ((await response.json()) as { keys: JWK[] }).keys;
};

const kidOf = (token: string) => decodeProtectedHeader(token).kid;
const addedKid = (added: KeyReport[], use: KeyReport['use']) => added.find((key) => key.use === use)?.kid;

/** Where the rotation publishes the public halves the jwks function serves (it reads nothing else). */
const publishing = () => ({ publicKeysSecretId: stack.secretIds.publicKeys });

/** Kids carry the second they were made: a second rotation of one list must wait for the next. */
const nextSecond = () => sleep(1_000 - (Date.now() % 1_000) + 10);

describe('secpass-signing rotation', () => {
  test('a token signed before verifies after; the new key is published first, then tokens carry its kid', async () => {
    const before = await legacyLoginToken();
    const oldKid = kidOf(before);

    // The default lead: the new key is published now but signs only once apps can have fetched it.
    const pending = await rotateSecret('secpass-signing', stack.secretIds.signing, publishing());
    const pendingKid = addedKid(pending.added, 'sig');
    assert.ok(pendingKid);
    const published = await publishedKeys(stack.secpassJwksUrl);
    assert.deepEqual(published.map((key) => key.kid).sort(), [oldKid, pendingKid].sort());
    for (const key of published)
      assert.equal('d' in key || 'activeFrom' in key || 'retireAfter' in key, false);
    const meanwhile = await legacyLoginToken();
    assert.equal(kidOf(meanwhile), oldKid, 'the pending key does not sign yet');

    // With no lead (as once the lead has passed), tokens carry the new kid at once.
    await nextSecond();
    const atOnce = await rotateSecret('secpass-signing', stack.secretIds.signing, {
      ...publishing(),
      publishLead: 0,
    });
    const newKid = addedKid(atOnce.added, 'sig');
    const afterRotation = await legacyLoginToken();
    assert.equal(kidOf(afterRotation), newKid);
    await verifyAsNewApp(afterRotation, legacyApp());
    const { payload } = await verifyAsNewApp(before, legacyApp());
    assert.equal(payload.sub, `u=${persona.uuid}`);
    assert.deepEqual(
      (await publishedKeys(stack.secpassJwksUrl)).map((key) => key.kid),
      [newKid, pendingKid, oldKid],
      'current first; the earlier keys stay published until their retireAfter',
    );
    assert.deepEqual(
      atOnce.retiring.map((key) => key.kid),
      [pendingKid, oldKid],
    );
  });
});

describe('Singpass relying-party rotation', () => {
  test('singpass-rp: a login succeeds right after; the pending signing key and the new encryption key are published', async () => {
    const rotation = await rotateSecret('singpass-rp', stack.secretIds.singpass, publishing());
    const kids = (await publishedKeys(`${stack.gatewayUrl}/singpass/jwks`)).map(
      (key) => `${key.use}:${key.kid}`,
    );
    assert.ok(kids.includes(`sig:${addedKid(rotation.added, 'sig')}`));
    assert.ok(kids.includes(`enc:${addedKid(rotation.added, 'enc')}`));
    await verifyAsNewApp(await legacyLoginToken(), legacyApp());
  });

  test('singpass-fapi: the issuer, still on its cached JWKS, accepts logins; after it refetches too', async () => {
    await fapiLoginToken(); // the issuer has now cached our JWKS
    const rotation = await rotateSecret('singpass-fapi', stack.secretIds.singpass, publishing());
    // Signing with the new key now would be refused by the issuer (see singpass-fapi.test.ts):
    // the rotation leaves it pending, so logins go on.
    await verifyAsNewApp(await fapiLoginToken(), fapiApp());
    await stack.singpassFapi?.expireClientKeyCaches();
    await verifyAsNewApp(await fapiLoginToken(), fapiApp());
    const kids = (await publishedKeys(`${stack.gatewayUrl}/singpass/jwks`)).map((key) => key.kid);
    assert.ok(kids.includes(addedKid(rotation.added, 'sig')));
    assert.ok(kids.includes(addedKid(rotation.added, 'enc')));
  });
});

describe('the keys command', () => {
  const run = promisify(execFile);
  const keysCommand = (args: string[], env: NodeJS.ProcessEnv) =>
    run(process.execPath, ['--import', 'tsx', 'scripts/keys.ts', ...args], { env, encoding: 'utf8' });
  let localDir: string;
  before(() => {
    // What `npm start` writes for --local, describing this test's stack.
    localDir = mkdtempSync(join(tmpdir(), 'secpass-keys-'));
    writeDemoFile(localDir, stack);
  });
  after(() => rmSync(localDir, { recursive: true, force: true }));

  /** Nothing but the local directory: the endpoint and the secret id must come from --local. */
  const localEnv = () => {
    const {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: _endpoint,
      SECPASS_SIGNING_SECRET_ID: _id,
      ...env
    } = process.env;
    return { ...env, SECPASS_LOCAL_DIR: localDir };
  };

  test('rotate and list with --local; kids, statuses and dates only, never key material', async () => {
    const rotated = await keysCommand(['rotate', 'cpfhub-token', '--local'], localEnv());
    const rotation = JSON.parse(rotated.stdout) as { added: KeyReport[]; notes: string[] };
    assert.match(rotation.notes.join(' '), /30 days/);

    const listed = await keysCommand(['list', 'cpfhub-token', '--local'], localEnv());
    const { keys } = JSON.parse(listed.stdout) as {
      keys: { kid: string; status: string; current: boolean }[];
    };
    assert.deepEqual(
      keys.map(({ kid, current }) => [kid, current]),
      [
        [addedKid(rotation.added, 'seal'), true],
        ['local-1', false],
      ],
    );
    assert.match(keys[1]?.status ?? '', /^retiring after \d{4}-/);

    const secret = await new SecretsManagerClient({}).send(
      new GetSecretValueCommand({ SecretId: stack.secretIds.cpfhub }),
    );
    const { tokenKeys } = JSON.parse(secret.SecretString ?? '') as { tokenKeys: { key: string }[] };
    assert.equal(tokenKeys.length, 2);
    for (const { key } of tokenKeys) {
      assert.equal(rotated.stdout.includes(key) || listed.stdout.includes(key), false);
    }
  });

  test('list on AWS takes the secret from the functions’ environment variable', async () => {
    const { stdout } = await keysCommand(['list', 'secpass-signing'], process.env);
    const listing = JSON.parse(stdout) as { secretId: string; keys: { kid: string; status: string }[] };
    assert.equal(listing.secretId, stack.secretIds.signing);
    assert.equal(listing.keys.length, 3);
    assert.equal(listing.keys[0]?.status, 'active');
    assert.equal(stdout.includes('"d"'), false);
  });

  test('a usage mistake exits 2 with the usage; a missing secret id is named', async () => {
    await assert.rejects(keysCommand(['rotate', 'no-such-set', '--local'], localEnv()), (error: unknown) => {
      const failed = error as { code: number; stderr: string };
      assert.equal(failed.code, 2);
      assert.match(failed.stderr, /unknown key set "no-such-set"[\s\S]*usage:/);
      return true;
    });
    await assert.rejects(keysCommand(['list', 'secpass-signing'], localEnv()), (error: unknown) => {
      const failed = error as { code: number; stderr: string };
      assert.equal(failed.code, 2);
      assert.match(failed.stderr, /SECPASS_SIGNING_SECRET_ID/);
      return true;
    });
  });

  test('rotate --local publishes the new key’s public half first; the JWKS serves it from the public keys secret', async () => {
    const rotated = await keysCommand(['rotate', 'secpass-signing', '--local'], localEnv());
    const rotation = JSON.parse(rotated.stdout) as { added: KeyReport[]; published: { jwks: string } };
    assert.equal(rotation.published.jwks, 'secpass');
    const kid = addedKid(rotation.added, 'sig');
    assert.ok(kid);
    assert.ok((await publishedKeys(stack.secpassJwksUrl)).some((key) => key.kid === kid));
    const publicKeys = await new SecretsManagerClient({}).send(
      new GetSecretValueCommand({ SecretId: stack.secretIds.publicKeys }),
    );
    assert.ok(publicKeys.SecretString?.includes(kid));
    assert.doesNotMatch(publicKeys.SecretString ?? '', /"d"/);
  });

  test('publish --local rewrites the public keys secret from the private ones', async () => {
    // As an operator who filled the public keys secret wrongly (or not at all) would find it.
    stack.putSecret(stack.secretIds.publicKeys, '{}');
    const response = await fetch(stack.secpassJwksUrl);
    assert.equal(response.status, 500, 'nothing published: the JWKS says so rather than serve no keys');
    const { stdout } = await keysCommand(['publish', '--local'], localEnv());
    const report = JSON.parse(stdout) as { published: { jwks: string; kids: string[] }[] };
    assert.deepEqual(
      report.published.map(({ jwks }) => jwks),
      ['secpass', 'singpass'],
    );
    const served = (await publishedKeys(stack.secpassJwksUrl)).map((key) => key.kid);
    assert.deepEqual(served, report.published[0]?.kids);
    const singpass = (await publishedKeys(`${stack.gatewayUrl}/singpass/jwks`)).map((key) => key.kid);
    assert.deepEqual(singpass, report.published[1]?.kids);
  });

  test('a rotation of published keys without a public keys secret to write is a usage error', async () => {
    const { SECPASS_PUBLIC_KEYS_SECRET_ID: _publicKeys, ...env } = process.env;
    await assert.rejects(
      keysCommand(['rotate', 'secpass-signing', '--secret-id', stack.secretIds.signing], env),
      (error: unknown) => {
        const failed = error as { code: number; stderr: string };
        assert.equal(failed.code, 2);
        assert.match(failed.stderr, /--public-keys-secret-id or set SECPASS_PUBLIC_KEYS_SECRET_ID/);
        return true;
      },
    );
  });
});
