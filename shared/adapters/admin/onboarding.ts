import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import { generateApiKey, hashApiKey } from '../../apps/api-key.ts';
import type { AppRecord } from '../../apps/app-record.ts';
import { createApp, getApp, newAppId, replaceApiKeyHash, setUsageKey } from '../dynamodb/app-store.ts';

export interface NewApp {
  name: string;
  publicJwk: JWK;
  providers: AppRecord['providers'];
}

/** API Gateway keys are 20 to 128 characters. */
const newUsageKey = (): string => `usage_${randomBytes(24).toString('base64url')}`;

/** Creates an app and returns its API key: the only time the key exists outside the caller. */
export const onboardApp = async (input: NewApp): Promise<{ app: AppRecord; apiKey: string }> => {
  const apiKey = generateApiKey();
  const app: AppRecord = {
    appId: newAppId(),
    name: input.name,
    status: 'active',
    apiKeyHash: hashApiKey(apiKey),
    publicJwk: input.publicJwk as AppRecord['publicJwk'],
    providers: input.providers,
    createdAt: new Date().toISOString(),
    usageKey: newUsageKey(),
  };
  await createApp(app);
  return { app, apiKey };
};

/** Issues a new API key; the old one stops working at once. */
export const rotateAppApiKey = async (appId: string): Promise<string> => {
  const app = await getApp(appId);
  if (!app) throw new Error(`no app ${appId}`);
  const apiKey = generateApiKey();
  await replaceApiKeyHash(appId, app.apiKeyHash, hashApiKey(apiKey));
  return apiKey;
};

/** Apps created before usage plans existed get their usage key here, once. */
export const ensureUsageKey = async (appId: string): Promise<AppRecord> => {
  const app = await getApp(appId);
  if (!app) throw new Error(`no app ${appId}`);
  if (app.usageKey) return app;
  const usageKey = newUsageKey();
  await setUsageKey(appId, usageKey);
  return { ...app, usageKey };
};
