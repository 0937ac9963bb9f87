import { createServer } from 'node:net';

/** A loopback port nobody is listening on right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });

export class PortBusyError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
  ) {
    super(`port ${port} (${what}) is already in use`);
  }
}

/** Fails fast with a PortBusyError instead of an EADDRINUSE stack trace. */
export const assertPortFree = (port: number, what: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', () => reject(new PortBusyError(port, what)));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });

/** The environment variables `npm start` takes its ports from, and their defaults. */
export const START_PORTS = {
  gateway: { variable: 'PORT', fallback: 3000 },
  demoApp: { variable: 'DEMO_APP_PORT', fallback: 3001 },
  mockpass: { variable: 'MOCKPASS_PORT', fallback: 5156 },
  myinfobiz: { variable: 'MYINFOBIZ_PORT', fallback: 5157 },
  sgverify: { variable: 'SGVERIFY_PORT', fallback: 5158 },
  cpfhub: { variable: 'CPFHUB_PORT', fallback: 5159 },
  singpassFapi: { variable: 'SINGPASS_FAPI_PORT', fallback: 5160 },
  dynamodb: { variable: 'DYNAMODB_PORT', fallback: 8000 },
  secrets: { variable: 'SECRETS_PORT', fallback: 8010 },
} as const;

/** An environment that starts `npm start` on free ports (tests and the bench run beside a dev's). */
export const freeStartPortsEnvironment = async (): Promise<Record<string, string>> => {
  const env: Record<string, string> = {};
  for (const { variable } of Object.values(START_PORTS)) env[variable] = String(await freePort());
  return env;
};
