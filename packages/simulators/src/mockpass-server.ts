import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

/**
 * MockPass in a process of its own, started by `mockpass.ts`: some requests crash it (a
 * made-up code on its Singpass token endpoint throws outside any handler), and a crash here must
 * not take the broker down with it. It reads its configuration from the environment at load time,
 * listens on MOCKPASS_PORT (0 picks one) and tells its parent the port it got.
 */
interface ExpressApp {
  listen(port: number, host: string, callback: () => void): Server;
}

const { app } = createRequire(import.meta.url)('@opengovsg/mockpass') as { app: ExpressApp };
const server = app.listen(Number(process.env.MOCKPASS_PORT ?? 0), '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
server.once('error', (error) => {
  process.send?.({ error: String(error) });
  process.exit(1);
});
