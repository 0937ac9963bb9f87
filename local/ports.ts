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
