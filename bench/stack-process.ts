import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freeStartPortsEnvironment } from '@secpass/simulators/ports';
import type { JWK } from 'jose';
import type { ProcessUsage } from '../local/usage-reporter.ts';

/**
 * The broker exactly as `npm start` runs it, in its own process, so the bench's client does
 * not share an event loop with the server it measures.
 */
export interface DemoFile {
  gatewayUrl: string;
  secpassJwksUrl: string;
  dynamodbUrl: string;
  secretsUrl: string;
  tableName: string;
  secretIds: { signing: string; myinfo: string };
  upstreams: { mockpass: string };
  handlerEnvironment: Record<string, string>;
  apps: { appId: string; apiKey: string; privateJwk: JWK; callbacks: { myinfo: string } }[];
}

export interface StackProcess {
  demo: DemoFile;
  /** The broker process's CPU time and memory so far (process.cpuUsage, process.memoryUsage). */
  usage(): Promise<ProcessUsage>;
  /** Bytes the broker has logged since it was ready (its functions' JSON lines), what CloudWatch would ingest. */
  logBytes(): number;
  stop(): Promise<void>;
}

export const startStackProcess = async (): Promise<StackProcess> => {
  // Its keys, apps and logs in a directory of its own; the repository stays its working directory,
  // where the simulators it forks resolve `--import tsx`.
  const localDir = mkdtempSync(join(tmpdir(), 'secpass-bench-'));
  const env = await freeStartPortsEnvironment();
  const child = spawn(
    process.execPath,
    [
      // BENCH_CPU_PROF_DIR: profile the broker process (node --cpu-prof), written there as it stops.
      ...(process.env.BENCH_CPU_PROF_DIR
        ? [
            '--cpu-prof',
            '--cpu-prof-interval=100',
            `--cpu-prof-dir=${resolve(process.env.BENCH_CPU_PROF_DIR)}`,
          ]
        : []),
      '--import',
      resolve('node_modules/tsx/dist/loader.mjs'),
      resolve('local/start.ts'),
    ],
    {
      env: { ...process.env, ...env, SECPASS_LOCAL_DIR: localDir },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  // MockPass narrates every login on stderr; anything else the broker says there is shown.
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = chunk
      .toString()
      .split('\n')
      .filter((line) => line && !line.startsWith('Redirecting login'));
    if (lines.length) process.stderr.write(`${lines.join('\n')}\n`);
  });
  let logged = 0;
  let isReady = false;
  await new Promise<void>((ready, failed) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      // After the ready line the server's logs are only counted.
      if (isReady) {
        logged += chunk.byteLength;
        return;
      }
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes('Secpass local ready:')) {
        isReady = true;
        ready();
      }
    });
    child.once('exit', (code) => failed(new Error(`npm start exited with ${code}`)));
  });
  const demo = JSON.parse(readFileSync(join(localDir, 'demo-app.json'), 'utf8')) as DemoFile;
  const stop = () =>
    new Promise<void>((done) => {
      child.once('exit', () => done());
      child.kill('SIGTERM');
    });
  const usage = () =>
    new Promise<ProcessUsage>((answer) => {
      child.once('message', (message) => answer(message as ProcessUsage));
      child.send('usage');
    });
  return { demo, usage, logBytes: () => logged, stop };
};
