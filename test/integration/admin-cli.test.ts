import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { basic } from '../helpers/flows.ts';

const run = promisify(execFile);
let stack: LocalStack;

before(async () => {
  stack = await startLocalStack({ demoAppCount: 0 });
});
after(async () => {
  await stack?.stop();
});

/** Runs the admin command as an operator would, against this test's DynamoDB Local. */
const apps = async (...args: string[]) => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/apps.ts', ...args], {
    env: {
      PATH: process.env.PATH,
      SECPASS_TABLE: process.env.SECPASS_TABLE,
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamodbUrl,
      AWS_REGION: 'ap-southeast-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    },
  });
  return JSON.parse(stdout) as Record<string, unknown> & Record<string, unknown>[];
};

const init = (apiKey: string) =>
  fetch(`${stack.gatewayUrl}/myinfo/init`, { headers: basic(apiKey), redirect: 'manual' });

test('create, list, rotate-key, disable and enable an app through the admin command', async () => {
  const created = await apps(
    'create',
    '--name',
    'Payroll',
    '--generate-key',
    '--myinfo-callback',
    'https://payroll.example/myinfo/callback',
    '--myinfo-attributes',
    'uinfin,name',
    '--myinfo-purpose',
    'Onboarding',
    '--singpass-callback',
    'https://payroll.example/login/callback',
  );
  const appId = String(created.appId);
  const firstKey = String(created.apiKey);
  assert.match(firstKey, /^spk_/);
  assert.ok(created.privateJwk, 'a generated key pair hands the private half to the operator once');
  assert.equal((await init(firstKey)).status, 302);
  const login = await fetch(`${stack.gatewayUrl}/oidc/singpass/authReqUri`, {
    method: 'POST',
    headers: { ...basic(firstKey), 'Content-Type': 'application/json' },
    body: JSON.stringify({ purpose: 'login' }),
  });
  assert.equal(login.status, 200);

  const listed = (await apps('list')) as unknown as { appId: string; status: string; apiKeyHash?: string }[];
  const row = listed.find((app) => app.appId === appId);
  assert.equal(row?.status, 'active');
  assert.equal(JSON.stringify(listed).includes(firstKey), false, 'list never shows a key');
  assert.equal(row?.apiKeyHash, undefined);

  const rotated = await apps('rotate-key', appId);
  const secondKey = String(rotated.apiKey);
  assert.notEqual(secondKey, firstKey);
  assert.equal((await init(firstKey)).status, 403);
  assert.equal((await init(secondKey)).status, 302);

  await apps('disable', appId);
  assert.equal((await init(secondKey)).status, 403);
  await apps('enable', appId);
  assert.equal((await init(secondKey)).status, 302);
});

test('bad usage exits non-zero with the usage text, and a private JWK is refused', async () => {
  await assert.rejects(apps('frobnicate'), (error: { code?: number; stderr?: string }) => {
    assert.equal(error.code, 2);
    assert.match(error.stderr ?? '', /usage:/);
    return true;
  });
  const { privateJwk } = await apps('create', '--name', 'Tmp', '--generate-key');
  await assert.rejects(
    apps('create', '--name', 'Leaky', '--public-jwk', JSON.stringify(privateJwk)),
    /public part only/,
  );
});
