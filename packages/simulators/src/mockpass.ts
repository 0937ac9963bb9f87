import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const certsDir = join(dirname(require.resolve('@opengovsg/mockpass/package.json')), 'static', 'certs');

/** MockPass's bundled relying-party key pair (our local Myinfo key) and its own signing cert. */
export const mockpassKeys = {
  relyingPartyPrivateKeyPem: readFileSync(join(certsDir, 'key.pem'), 'utf8'),
  relyingPartyCertificatePem: readFileSync(join(certsDir, 'server.crt'), 'utf8'),
  mockpassCertificatePem: readFileSync(join(certsDir, 'spcp.crt'), 'utf8'),
};

export interface MockPass {
  url: string;
  /** Base URL of its Myinfo v3 routes (MockPass serves them under /myinfo/v3, not /com/v3). */
  myinfoBaseUrl: string;
  /** Its Singpass (NDI OIDC v2) discovery document. */
  singpassDiscoveryUrl: string;
  /** How many times it crashed and was started again. */
  restarts(): number;
  stop(): Promise<void>;
}

export interface MockPassOptions {
  myinfoClientSecret: string;
  /** Where MockPass fetches our relying-party JWKS to check client assertions and encrypt ID tokens. */
  relyingPartyJwksUrl: string;
  /** Where its own output goes (it logs NRICs in URLs and whole tokens): a file, or nowhere. */
  logFile?: string;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./mockpass-server.ts', import.meta.url));
/** tsx as this package resolves it: the child's working directory (the bench's is a temporary one) may have none. */
const TSX_LOADER = import.meta.resolve('tsx');

/** Starts the MockPass process and resolves with the port it listens on. */
const spawnMockPass = (
  port: number,
  options: MockPassOptions,
): Promise<{ child: ChildProcess; port: number }> => {
  const output = options.logFile ? openSync(options.logFile, 'a') : 'ignore';
  const child = fork(SERVER_SCRIPT, [], {
    execArgv: ['--import', TSX_LOADER],
    stdio: ['ignore', output, output, 'ipc'],
    env: {
      ...process.env,
      MOCKPASS_PORT: String(port),
      SERVICE_PROVIDER_MYINFO_SECRET: options.myinfoClientSecret,
      SP_RP_JWKS_ENDPOINT: options.relyingPartyJwksUrl,
      ENCRYPT_MYINFO: 'true',
      // A person picks a persona on MockPass's login page; tests skip it with X-Show-Login-Page: false.
      SHOW_LOGIN_PAGE: process.env.SHOW_LOGIN_PAGE ?? 'true',
    },
  });
  if (typeof output === 'number') closeSync(output);
  return new Promise((resolve, reject) => {
    child.once('message', (message: { port?: number; error?: string }) => {
      if (message.port) resolve({ child, port: message.port });
      else reject(new Error(message.error ?? 'MockPass did not start'));
    });
    child.once('exit', (code) => reject(new Error(`MockPass exited with ${code} while starting`)));
  });
};

/**
 * MockPass (the Singpass team's own mock) with Myinfo's Test-environment behaviour switched on: it
 * checks our PKI_SIGN signatures (SERVICE_PROVIDER_MYINFO_SECRET) and signs then encrypts person
 * data (ENCRYPT_MYINFO). It runs in a child process that is started again on the same port
 * whenever it dies, so an upstream crash costs the requests in flight, never the local stack.
 */
export const startMockPass = async (port: number, options: MockPassOptions): Promise<MockPass> => {
  if (options.logFile) mkdirSync(dirname(options.logFile), { recursive: true });
  let { child, port: listening } = await spawnMockPass(port, options);
  let stopping = false;
  let restarts = 0;
  /** A restart under way, which stop() waits for so that no MockPass outlives the stack. */
  let restarting: Promise<void> = Promise.resolve();
  const superviseAgain = () => {
    child.once('exit', () => {
      if (stopping) return;
      restarts += 1;
      restarting = spawnMockPass(listening, options).then(
        (started) => {
          child = started.child;
          if (stopping) started.child.kill('SIGTERM');
          else superviseAgain();
        },
        (error: unknown) => console.error(`MockPass could not be restarted: ${String(error)}`),
      );
    });
  };
  superviseAgain();
  const url = `http://127.0.0.1:${listening}`;
  return {
    url,
    myinfoBaseUrl: `${url}/myinfo/v3`,
    singpassDiscoveryUrl: `${url}/singpass/v2/.well-known/openid-configuration`,
    restarts: () => restarts,
    stop: async () => {
      stopping = true;
      await restarting;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
};
