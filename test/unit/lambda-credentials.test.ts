import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, test } from 'node:test';
import { defaultProvider } from '../../shared/adapters/lambda-credentials.ts';

/** What the bundles use in place of the SDK's credential chain: Lambda's own sources only. */
const CREDENTIAL_VARIABLES = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
] as const;
const saved = Object.fromEntries(CREDENTIAL_VARIABLES.map((name) => [name, process.env[name]]));
afterEach(() => {
  for (const name of CREDENTIAL_VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

test('the role’s credentials from the environment, as Lambda hands them to a function', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'ASIAEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'secret';
  process.env.AWS_SESSION_TOKEN = 'session';
  const credentials = await defaultProvider()();
  assert.equal(credentials.accessKeyId, 'ASIAEXAMPLE');
  assert.equal(credentials.sessionToken, 'session');
});

test('no keys in the environment but a container endpoint: the credentials come from there', async () => {
  for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
  const server = createServer((_request, response) => {
    response.setHeader('Content-Type', 'application/json');
    response.end(
      JSON.stringify({
        AccessKeyId: 'ASIAFROMENDPOINT',
        SecretAccessKey: 'secret',
        Token: 'session',
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    );
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  try {
    process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `http://127.0.0.1:${(server.address() as AddressInfo).port}/creds`;
    assert.equal((await defaultProvider()()).accessKeyId, 'ASIAFROMENDPOINT');
  } finally {
    server.close();
  }
});

test('neither: a clear failure, not a hang', async () => {
  for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
  await assert.rejects(defaultProvider()(), /environment variable/i);
});
