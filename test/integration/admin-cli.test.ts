import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { closeServer, listenOnLoopback } from '@secpass/simulators/http';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { createApp, getApp, newAppId } from '../../shared/adapters/dynamodb/app-store.ts';
import { generateApiKey, hashApiKey } from '../../shared/apps/api-key.ts';
import { expectError } from '../helpers/assertions.ts';
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
const appsWith = async (extraEnv: Record<string, string>, ...args: string[]) => {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/apps.ts', ...args], {
    env: {
      ...extraEnv,
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
const apps = (...args: string[]) => appsWith({}, ...args);

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

/** Stands in for API Gateway's control plane: records what the command asks for, answers with ids. */
const startFakeApiGateway = async () => {
  const calls: { method: string; path: string; body: Record<string, unknown> }[] = [];
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += String(chunk);
    const call = { method: req.method ?? '', path: req.url ?? '', body: raw ? JSON.parse(raw) : {} };
    calls.push(call);
    res.writeHead(201, { 'Content-Type': 'application/json' });
    const id = call.path === '/apikeys' ? 'key123' : call.path === '/usageplans' ? 'plan123' : 'link';
    res.end(JSON.stringify({ id, ...call.body }));
  });
  const url = await listenOnLoopback(server, 0);
  return { url, calls, stop: () => closeServer(server) };
};

test('on AWS an app gets its own usage plan; without one the gateway refuses it; attach-plan mends that', async () => {
  const gateway = await startFakeApiGateway();
  try {
    const onAws = { AWS_ENDPOINT_URL_API_GATEWAY: gateway.url, SECPASS_REST_API_ID: 'api123' };
    const unplanned = await apps('create', '--name', 'Unplanned', '--generate-key');
    assert.match(String(unplanned.usagePlan), /^none: set SECPASS_REST_API_ID/);

    const metered = await appsWith(
      onAws,
      'create',
      '--name',
      'Metered',
      '--generate-key',
      '--myinfo-callback',
      'https://metered.example/myinfo/callback',
      '--myinfo-attributes',
      'uinfin',
      '--myinfo-purpose',
      'Checks',
      '--rate-limit',
      '5',
      '--burst-limit',
      '10',
    );
    assert.ok(
      !JSON.stringify(gateway.calls).includes(String(metered.apiKey)),
      'the app’s own key never leaves',
    );
    assert.equal(metered.usagePlan, 'plan123');
    const record = await getApp(String(metered.appId));
    assert.ok(record?.usageKey);
    assert.deepEqual(
      gateway.calls.map(({ method, path }) => `${method} ${path}`),
      ['POST /apikeys', 'POST /usageplans', 'POST /usageplans/plan123/keys'],
    );
    assert.equal(
      gateway.calls[0]?.body.value,
      record.usageKey,
      'the plan meters the key our authorizer names',
    );
    assert.deepEqual(gateway.calls[1]?.body.apiStages, [{ apiId: 'api123', stage: 'v1' }]);
    assert.deepEqual(gateway.calls[1]?.body.throttle, { rateLimit: 5, burstLimit: 10 });
    assert.deepEqual(gateway.calls[2]?.body, { keyId: 'key123', keyType: 'API_KEY' });

    // An app from before usage plans: refused by the gateway until attach-plan gives it a key.
    const apiKey = generateApiKey();
    const { usageKey: _none, ...legacy } = { ...record, appId: newAppId(), apiKeyHash: hashApiKey(apiKey) };
    await createApp(legacy);
    await expectError(await init(apiKey), 403, 'invalid_api_key');
    const attached = await appsWith(onAws, 'attach-plan', legacy.appId);
    assert.equal(attached.usagePlan, 'plan123');
    stack.flushAuthorizerCache();
    assert.equal((await init(apiKey)).status, 302);
  } finally {
    await gateway.stop();
  }
});

test('FAPI 2.0 registrations: created and updated through the admin command, bad settings refused before any write', async () => {
  const loginClient = 'LoginApp0000000000000000000000AB';
  const myinfoClient = 'MyinfoApp000000000000000000000AB';
  const created = await apps(
    'create',
    '--name',
    'Onboarding',
    '--generate-key',
    '--singpass-callback',
    'https://onboarding.example/login/callback',
    '--singpass-profile',
    'fapi2',
    '--singpass-fapi-client-id',
    loginClient,
    '--singpass-context-type',
    'APP_ONBOARDING_DEFAULT',
    '--singpass-context-message',
    'Sign up for an account',
  );
  const appId = String(created.appId);
  assert.deepEqual((await getApp(appId))?.providers.singpass, {
    callbackUrl: 'https://onboarding.example/login/callback',
    profile: 'fapi2',
    fapi2: {
      clientId: loginClient,
      authenticationContextType: 'APP_ONBOARDING_DEFAULT',
      authenticationContextMessage: 'Sign up for an account',
      scopes: [],
    },
  });

  await apps(
    'update',
    appId,
    '--myinfo-callback',
    'https://onboarding.example/myinfo/callback',
    '--myinfo-profile',
    'fapi2',
    '--myinfo-fapi-client-id',
    myinfoClient,
    '--myinfo-scopes',
    'uinfin,name,cpfbalances.oa',
    '--singpass-scopes',
    'name',
  );
  const updated = await getApp(appId);
  assert.deepEqual(updated?.providers.myinfo?.fapi2, {
    clientId: myinfoClient,
    scopes: ['uinfin', 'name', 'cpfbalances.oa'],
  });
  assert.equal(
    updated?.providers.singpass?.fapi2?.authenticationContextType,
    'APP_ONBOARDING_DEFAULT',
    'kept',
  );
  assert.deepEqual(updated?.providers.singpass?.fapi2?.scopes, ['name']);

  for (const [args, says] of [
    [['--myinfo-scopes', 'uinfin,cpfbalances'], /ask for cpfbalances\.oa, cpfbalances\.ma/],
    [['--singpass-context-type', 'APP_LOGIN'], /authenticationContextType/],
    [['--singpass-context-message', 'Pay <b>now</b>'], /authenticationContextMessage/],
  ] as const) {
    await assert.rejects(apps('update', appId, ...args), (error: { code?: number; stderr?: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr ?? '', /invalid settings/);
      assert.match(error.stderr ?? '', says);
      return true;
    });
  }
  assert.deepEqual((await getApp(appId))?.providers, updated?.providers, 'a refused update writes nothing');
});
