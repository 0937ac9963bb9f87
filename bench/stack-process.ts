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
  dynamodbUrl: string;
  secretsUrl: string;
  tableName: string;
  secretIds: { signing: string; myinfo: string };
  upstreams: { mockpass: string };
  apps: { apiKey: string; privateJwk: JWK; callbacks: { myinfo: string } }[];
}

export interface StackProcess {
  demo: DemoFile;
  /** The broker process's CPU time and memory so far (process.cpuUsage, process.memoryUsage). */
  usage(): Promise<ProcessUsage>;
  stop(): Promise<void>;
}

export const startStackProcess = async (): Promise<StackProcess> => {
  const cwd = mkdtempSync(join(tmpdir(), 'secpass-bench-'));
  const env = await freeStartPortsEnvironment();
  const child = spawn(
    process.execPath,
    ['--import', resolve('node_modules/tsx/dist/loader.mjs'), resolve('local/start.ts')],
    {
      cwd,
      env: { ...process.env, ...env },
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
  await new Promise<void>((ready, failed) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      // Only the ready line matters; the server's logs are read and dropped.
      seen = (seen + chunk.toString()).slice(-4096);
      if (seen.includes('Secpass local ready:')) ready();
    });
    child.once('exit', (code) => failed(new Error(`npm start exited with ${code}`)));
  });
  const demo = JSON.parse(readFileSync(join(cwd, '.local/demo-app.json'), 'utf8')) as DemoFile;
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
  return { demo, usage, stop };
};
