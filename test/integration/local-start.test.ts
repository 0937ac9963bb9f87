import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freeStartPortsEnvironment } from '../../local/ports.ts';

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
const startReady = async (cwd: string) => {
  for (let attempt = 1; ; attempt += 1) {
    const env = await ports();
    const started = await startProcess(cwd, env);
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
