import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalStack } from './stack.ts';

/**
 * `.local/demo-app.json`: what a running `npm start` tells the demo apps, the admin command and
 * `npm run invoke --local` (addresses, secret ids, the handlers' environment, the demo apps' keys).
 * Private to this machine: written readable by its owner only.
 */
export const writeDemoFile = (directory: string, stack: LocalStack): string => {
  mkdirSync(directory, { recursive: true });
  const demo = {
    gatewayUrl: stack.gatewayUrl,
    secpassJwksUrl: stack.secpassJwksUrl,
    demoAppUrl: stack.demoAppUrl,
    upstreams: stack.upstreams,
    dynamodbUrl: stack.dynamodbUrl,
    secretsUrl: stack.secretsUrl,
    tableName: stack.handlerEnvironment.SECPASS_TABLE,
    secretIds: stack.secretIds,
    handlerEnvironment: stack.handlerEnvironment,
    apps: stack.apps.map(({ appId, name, apiKey, privateJwk, callbacks }) => ({
      appId,
      name,
      apiKey,
      privateJwk,
      callbacks,
    })),
  };
  const file = join(directory, 'demo-app.json');
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return file;
};
