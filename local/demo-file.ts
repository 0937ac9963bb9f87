import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JWK } from 'jose';
import type { DemoAppKeys } from './kept-demo-apps.ts';
import type { LocalStack } from './stack.ts';

/** Git-ignored home of dev keys, saved apps, demo-app.json and logs; tests point it elsewhere. */
export const localDirectory = (): string => process.env.SECPASS_LOCAL_DIR ?? '.local';

export const demoFileIn = (directory: string): string => join(directory, 'demo-app.json');

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
    ...(stack.sandboxAppId ? { sandboxAppId: stack.sandboxAppId } : {}),
    apps: stack.apps.map(({ appId, name, apiKey, privateJwk, callbacks }) => ({
      appId,
      name,
      apiKey,
      privateJwk,
      callbacks,
    })),
  };
  const file = demoFileIn(directory);
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return file;
};

const isDemoAppKeys = (value: unknown): value is DemoAppKeys => {
  if (typeof value !== 'object' || value === null) return false;
  const { appId, apiKey, privateJwk } = value as Record<string, unknown>;
  return (
    typeof appId === 'string' &&
    typeof apiKey === 'string' &&
    typeof privateJwk === 'object' &&
    privateJwk !== null &&
    typeof (privateJwk as JWK).d === 'string'
  );
};

/**
 * The demo apps' keys as the last run wrote them, so a restart keeps them; none when there is no
 * readable file (the demo apps then get new keys, and keep their ids).
 */
export const readDemoAppKeys = (directory: string): DemoAppKeys[] => {
  const file = demoFileIn(directory);
  if (!existsSync(file)) return [];
  try {
    const { apps } = JSON.parse(readFileSync(file, 'utf8')) as { apps?: unknown };
    return Array.isArray(apps)
      ? apps.filter(isDemoAppKeys).map(({ appId, apiKey, privateJwk }) => ({ appId, apiKey, privateJwk }))
      : [];
  } catch {
    return [];
  }
};

/** After `apps rotate-key --local` of a demo app: its new key, so the next start keeps it. */
export const replaceDemoAppKey = (directory: string, appId: string, apiKey: string): boolean => {
  const file = demoFileIn(directory);
  if (!existsSync(file)) return false;
  const demo = JSON.parse(readFileSync(file, 'utf8')) as { apps?: { appId?: unknown; apiKey?: unknown }[] };
  const app = demo.apps?.find((candidate) => candidate.appId === appId);
  if (!app) return false;
  app.apiKey = apiKey;
  writeFileSync(file, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  return true;
};
