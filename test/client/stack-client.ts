import type { DemoApp, LocalStack } from '../../local/stack.ts';
import { createSecpassClient, type SecpassClient } from '../../packages/client/src/index.ts';

/** The client as a demo app configures it against a local stack (whose issuer is the gateway URL). */
export const clientFor = (stack: LocalStack, app: DemoApp): SecpassClient =>
  createSecpassClient({
    baseUrl: stack.gatewayUrl,
    apiKey: app.apiKey,
    appId: app.appId,
    privateKey: app.privateJwk,
  });

/** The month before this one, complete on CPFHub's ledger. */
export const lastMonth = () => {
  const now = new Date();
  const month = now.getUTCMonth() === 0 ? 12 : now.getUTCMonth();
  return { year: now.getUTCMonth() === 0 ? now.getUTCFullYear() - 1 : now.getUTCFullYear(), month };
};
