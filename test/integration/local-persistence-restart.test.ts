import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { freeStartPortsEnvironment } from '@secpass/simulators/ports';

/**
 * `npm start` keeps apps across restarts in SECPASS_LOCAL_DIR (DynamoDB Local is in memory): the
 * demo apps' ids and keys, and apps made with `npm run apps -- create --local`; `--fresh` starts
 * over. Also what it prints while it starts.
 */
const localDir = mkdtempSync(join(tmpdir(), 'secpass-persistence-'));
const running = new Set<ChildProcess>();
after(() => {
  for (const child of running) child.kill('SIGKILL');
});

interface Started {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const startProcess = (env: Record<string, string>, args: string[]): Started => {
  const child = spawn('npm', ['start', '--silent', ...(args.length > 0 ? ['--', ...args] : [])], {
    env: { ...process.env, ...env, SECPASS_LOCAL_DIR: localDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code) => {
      running.delete(child);
      done(code);
    }),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
};

const waitFor = async (condition: () => boolean, what: string, ms = 90_000) => {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** On free ports; tried once more with fresh ones if another test took a port meanwhile. */
const startReady = async (args: string[] = []): Promise<Started> => {
  for (let attempt = 1; ; attempt += 1) {
    const started = startProcess(await freeStartPortsEnvironment(), args);
    let exited = false;
    void started.exited.then(() => {
      exited = true;
    });
    await waitFor(() => exited || started.stdout().includes('Secpass local ready:'), 'the ready line');
    if (!exited) return started;
    if (attempt === 2 || !started.stderr().includes('already in use')) {
      throw new Error(`npm start exited: ${started.stderr()}`);
    }
  }
};

const stop = async (started: Started) => {
  started.child.kill('SIGTERM');
  assert.equal(await started.exited, 0);
};

interface DemoFile {
  gatewayUrl: string;
  apps: { appId: string; apiKey: string; privateJwk: { d: string } }[];
}
const demoFile = (): DemoFile =>
  JSON.parse(readFileSync(join(localDir, 'demo-app.json'), 'utf8')) as DemoFile;

const run = promisify(execFile);
const adminCommand = async (...args: string[]): Promise<unknown> => {
  const { stdout } = await run('npm', ['run', '--silent', 'apps', '--', ...args, '--local'], {
    env: { ...process.env, SECPASS_LOCAL_DIR: localDir },
    timeout: 60_000,
  });
  return JSON.parse(stdout);
};

const initStatus = async (gatewayUrl: string, apiKey: string): Promise<number> =>
  (
    await fetch(`${gatewayUrl}/myinfo/init`, {
      headers: { Authorization: `Basic ${apiKey}` },
      redirect: 'manual',
    })
  ).status;

const PARTS = [
  'DynamoDB Local',
  'Secrets Manager endpoint',
  'API gateway',
  'demo app',
  'MockPass',
  'Myinfo Business simulator',
  'SG-Verify simulator',
  'Singpass FAPI 2.0 issuer',
  'CPFHub simulator',
  'apps',
];

test('npm start prints a line per part as it comes up, then the ready line', async () => {
  const started = await startReady();
  try {
    const lines = started.stdout().trimEnd().split('\n');
    assert.equal(lines.length, PARTS.length + 1, started.stdout());
    PARTS.forEach((part, i) => {
      assert.match(lines[i] ?? '', new RegExp(`^  ${part} +\\S`), `line ${i + 1} names ${part}`);
    });
    assert.match(lines[0] ?? '', /http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(lines.at(-2) ?? '', /3 demo apps \(3 new\)$/);
    assert.match(lines.at(-1) ?? '', /^Secpass local ready: /);
  } finally {
    await stop(started);
  }
});

test('a restart keeps the demo apps (ids, API keys, private keys) and apps created with --local; --fresh starts over', async () => {
  // The first test left a run behind in localDir: this start picks it up.
  const first = await startReady();
  const before = demoFile();
  let created: { appId: string; apiKey: string };
  try {
    created = (await adminCommand(
      'create',
      '--name',
      'Kept across restarts',
      '--generate-key',
      '--myinfo-callback',
      'http://127.0.0.1:9/myinfo',
      '--myinfo-attributes',
      'uinfin,name',
      '--myinfo-purpose',
      'Persistence test',
    )) as { appId: string; apiKey: string };
    assert.match(first.stdout(), /3 demo apps kept$/m);
    assert.equal(await initStatus(before.gatewayUrl, created.apiKey), 302);
  } finally {
    await stop(first);
  }

  const second = await startReady();
  try {
    const after = demoFile();
    assert.deepEqual(
      after.apps.map(({ appId, apiKey, privateJwk }) => ({ appId, apiKey, d: privateJwk.d })),
      before.apps.map(({ appId, apiKey, privateJwk }) => ({ appId, apiKey, d: privateJwk.d })),
    );
    assert.match(second.stdout(), /3 demo apps kept, 1 other app kept$/m);
    const listed = (await adminCommand('list')) as { appId: string; name: string }[];
    assert.ok(listed.some((app) => app.appId === created.appId && app.name === 'Kept across restarts'));
    // The keys work, not only the records: the key index came back with them.
    assert.equal(await initStatus(after.gatewayUrl, created.apiKey), 302);
    assert.equal(await initStatus(after.gatewayUrl, after.apps[0]?.apiKey ?? ''), 302);
  } finally {
    await stop(second);
  }

  const fresh = await startReady(['--fresh']);
  try {
    const renewed = demoFile();
    for (const [i, app] of renewed.apps.entries()) {
      assert.notEqual(app.appId, before.apps[i]?.appId);
      assert.notEqual(app.apiKey, before.apps[i]?.apiKey);
      assert.notEqual(app.privateJwk.d, before.apps[i]?.privateJwk.d);
    }
    const listed = (await adminCommand('list')) as { appId: string }[];
    assert.equal(listed.length, renewed.apps.length, 'only the new demo apps');
    assert.equal(await initStatus(renewed.gatewayUrl, created.apiKey), 403);
    assert.equal(await initStatus(renewed.gatewayUrl, before.apps[0]?.apiKey ?? ''), 403);
  } finally {
    await stop(fresh);
  }
});

test('a demo app whose key was rotated with --local keeps its id and its new key', async () => {
  const first = await startReady();
  const { appId } = demoFile().apps[1] ?? { appId: '' };
  let rotated: string;
  try {
    rotated = ((await adminCommand('rotate-key', appId)) as { apiKey: string }).apiKey;
  } finally {
    await stop(first);
  }
  const second = await startReady();
  try {
    const app = demoFile().apps[1];
    assert.equal(app?.appId, appId);
    assert.equal(app?.apiKey, rotated);
    assert.equal(await initStatus(demoFile().gatewayUrl, rotated), 302);
  } finally {
    await stop(second);
  }
});
