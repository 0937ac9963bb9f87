import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freeStartPortsEnvironment } from '@secpass/simulators/ports';
import {
  headlessAuthorize,
  type SingpassFapiIssuer,
  startSingpassFapiIssuer,
} from '@secpass/simulators/singpass-fapi';
import { PERSONAS } from '../helpers/flows.ts';

/** `npm start` exactly as a newcomer types it, writing its files to `localDir`. */
const startProcess = async (localDir: string, env: Record<string, string>) => {
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, ...env, SECPASS_LOCAL_DIR: localDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, output: () => ({ stdout, stderr }), exited };
};

const waitFor = async (condition: () => boolean, what: string, ms = 90_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const javaFor = (port: number) => {
  try {
    return execFileSync('pgrep', ['-f', `DynamoDBLocal.jar.*-port ${port}`])
      .toString()
      .trim();
  } catch {
    return '';
  }
};

const ports = freeStartPortsEnvironment;

/**
 * Starts `npm start` on free ports; other test files pick free ports too, so if one was taken in
 * the meantime (the one-line busy-port error) it tries once more with fresh ones.
 */
const startReady = async (
  cwd: string,
  extraEnv: (env: Record<string, string>) => Promise<Record<string, string>> = async () => ({}),
) => {
  for (let attempt = 1; ; attempt += 1) {
    const env = await ports();
    const started = await startProcess(cwd, { ...env, ...(await extraEnv(env)) });
    let exited = false;
    void started.exited.then(() => {
      exited = true;
    });
    await waitFor(() => exited || started.output().stdout.includes('Secpass local ready:'), 'the ready line');
    if (!exited) return { env, started };
    if (attempt === 2 || !started.output().stderr.includes('already in use')) {
      throw new Error(`npm start exited: ${started.output().stderr}`);
    }
  }
};

test('npm start: one ready line, demo-app.json as documented, SIGTERM to npm leaves no Java behind', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'secpass-start-'));
  const { env, started } = await startReady(cwd);
  let child: ChildProcess | undefined = started.child;
  try {
    const readyLines = started
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('Secpass local ready:'));
    assert.equal(readyLines.length, 1);

    const demo = JSON.parse(readFileSync(join(cwd, 'demo-app.json'), 'utf8'));
    assert.equal(demo.gatewayUrl, `http://127.0.0.1:${env.PORT}`);
    assert.equal(demo.secpassJwksUrl, `http://127.0.0.1:${env.PORT}/.well-known/jwks.json`);
    assert.equal(demo.upstreams.mockpass, `http://127.0.0.1:${env.MOCKPASS_PORT}`);
    assert.equal(demo.upstreams.myinfobiz, `http://127.0.0.1:${env.MYINFOBIZ_PORT}`);
    assert.equal(demo.upstreams.sgverify, `http://127.0.0.1:${env.SGVERIFY_PORT}`);
    assert.equal(demo.upstreams.sgverifyPhone, `http://127.0.0.1:${env.SGVERIFY_PORT}/phone`);
    assert.ok(demo.apps.length >= 2);
    for (const app of demo.apps) {
      assert.match(app.appId, /^app_/);
      assert.match(app.apiKey, /^spk_/);
      assert.equal(app.privateJwk.crv, 'P-256');
      assert.ok(app.privateJwk.d);
      assert.match(app.callbacks.myinfo, /^http:\/\/127\.0\.0\.1:/);
      assert.match(app.callbacks.singpass, /^http:\/\/127\.0\.0\.1:/);
      assert.match(app.callbacks.myinfobiz, /^http:\/\/127\.0\.0\.1:/);
    }
    const jwks = (await (await fetch(demo.secpassJwksUrl)).json()) as { keys: unknown[] };
    assert.equal(jwks.keys.length, 1);
    assert.ok(existsSync(join(cwd, 'logs', 'mockpass.log')), 'MockPass writes its own log, not ours');
    assert.notEqual(javaFor(Number(env.DYNAMODB_PORT)), '', 'DynamoDB Local runs while started');

    started.child.kill('SIGTERM');
    assert.equal(await started.exited, 0);
    child = undefined;
    await waitFor(() => javaFor(Number(env.DYNAMODB_PORT)) === '', 'Java to exit', 10_000);
  } finally {
    child?.kill('SIGKILL');
  }
});

test('a busy port gives one line on stderr and a non-zero exit, no stack trace', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'secpass-busy-'));
  const env = await ports();
  const squatter = createServer();
  await new Promise<void>((r) => squatter.listen(Number(env.PORT), '127.0.0.1', r));
  try {
    const started = await startProcess(cwd, env);
    const code = await started.exited;
    assert.notEqual(code, 0);
    const lines = started.output().stderr.trim().split('\n');
    assert.equal(lines.length, 1, started.output().stderr);
    assert.match(
      lines[0] ?? '',
      new RegExp(`^Secpass local could not start: port ${env.PORT} \\(gateway\\) is already in use`),
    );
  } finally {
    squatter.close();
  }
});

/** What the FAPI demo app's login answers through the gateway, from authReqUri to the login token. */
const fapiDemoLogin = async (demo: { gatewayUrl: string; apps: { apiKey: string }[] }) => {
  const app = demo.apps[2];
  assert.ok(app, 'the FAPI demo app');
  const post = (path: string, body: unknown) =>
    fetch(`${demo.gatewayUrl}${path}`, {
      method: 'POST',
      headers: { Authorization: `Basic ${app.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  const { authReqUri } = (await (await post('/oidc/singpass/authReqUri', { purpose: 'login' })).json()) as {
    authReqUri: string;
  };
  const callback = await headlessAuthorize(authReqUri, PERSONAS.citizen);
  const answer = await post('/oidc/singpass/userInfo', {
    authCode: callback.searchParams.get('code'),
    state: callback.searchParams.get('state'),
  });
  return { authReqUri, status: answer.status };
};

test('npm start with SINGPASS_FAPI_ISSUER and two client ids: no built-in issuer; the FAPI demo app logs in there; RP keys survive a restart', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'secpass-external-fapi-'));
  const loginClientId = 'ExternalLoginApp0000000000000001';
  const myinfoClientId = 'ExternalMyinfoApp000000000000001';
  let external: SingpassFapiIssuer | undefined;
  // Another issuer, registered as an operator would register Singpass staging's apps.
  // The built-in issuer's port is taken: npm start must come up all the same, since it does not start one.
  const squatters: Server[] = [];
  const pointAtExternal = async (env: Record<string, string>) => {
    const squatter = createServer();
    squatters.push(squatter);
    await new Promise<void>((r) => squatter.listen(Number(env.SINGPASS_FAPI_PORT), '127.0.0.1', r));
    const callbacks = ['singpass', 'myinfo'].map(
      (kind) => `http://127.0.0.1:${env.DEMO_APP_PORT}/apps/3/callback/${kind}`,
    );
    const common = { redirectUris: callbacks, jwksUri: `http://127.0.0.1:${env.PORT}/singpass/jwks` };
    await external?.stop();
    external = await startSingpassFapiIssuer({
      port: 0,
      clients: [
        { ...common, clientId: loginClientId, appType: 'login', scopes: ['user.identity', 'name'] },
        { ...common, clientId: myinfoClientId, appType: 'myinfo', scopes: ['uinfin'] },
      ],
    });
    return {
      SINGPASS_FAPI_ISSUER: external.issuer,
      SINGPASS_FAPI_LOGIN_CLIENT_ID: loginClientId,
      SINGPASS_FAPI_MYINFO_CLIENT_ID: myinfoClientId,
    };
  };
  const runOnce = async () => {
    const { started } = await startReady(cwd, pointAtExternal);
    try {
      const demo = JSON.parse(readFileSync(join(cwd, 'demo-app.json'), 'utf8'));
      assert.equal(demo.upstreams.singpassFapi, external?.issuer);
      assert.match(started.output().stdout, new RegExp(`Singpass FAPI 2\\.0 ${external?.issuer}`));
      const { authReqUri, status } = await fapiDemoLogin(demo);
      assert.equal(new URL(authReqUri).origin, new URL(external?.issuer ?? '').origin);
      assert.equal(new URL(authReqUri).searchParams.get('client_id'), loginClientId);
      assert.equal(status, 200);
      return ((await (await fetch(`${demo.gatewayUrl}/singpass/jwks`)).json()) as { keys: { kid: string }[] })
        .keys;
    } finally {
      started.child.kill('SIGTERM');
      await started.exited;
    }
  };
  try {
    const first = await runOnce();
    const second = await runOnce();
    assert.deepEqual(second, first, 'the relying-party keys an operator registered stay the same');
  } finally {
    for (const squatter of squatters) squatter.close();
    await external?.stop();
  }
});
