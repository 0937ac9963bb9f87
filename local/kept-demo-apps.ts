import type { JWK } from 'jose';
import { createApp } from '../shared/adapters/dynamodb/app-store.ts';
import { generateApiKey, hashApiKey } from '../shared/apps/api-key.ts';
import type { AppRecord } from '../shared/apps/app-record.ts';
import { newAppKeyPair } from './dev-keys.ts';
import type { SavedApps } from './saved-apps.ts';

/** What the last demo-app.json held of a demo app: all that the table does not keep. */
export interface DemoAppKeys {
  appId: string;
  apiKey: string;
  privateJwk: JWK;
}

/** A demo app's settings as this version of the local stack defines them. */
export interface DemoAppSettings {
  name: string;
  providers: AppRecord['providers'];
}

const publicPartOf = (privateJwk: JWK): AppRecord['publicJwk'] => ({
  kty: 'EC',
  crv: 'P-256',
  x: privateJwk.x ?? '',
  y: privateJwk.y ?? '',
  ...(privateJwk.kid ? { kid: privateJwk.kid } : {}),
});

const samePublicKey = (privateJwk: JWK, publicJwk: AppRecord['publicJwk']): boolean =>
  privateJwk.crv === publicJwk.crv && privateJwk.x === publicJwk.x && privateJwk.y === publicJwk.y;

/**
 * Demo app `n` (from 1) of the last run, put back with its id, status and usage key. Its settings
 * are this run's (callbacks follow DEMO_APP_PORT); its API key and private key are kept when the
 * last demo-app.json still holds ones matching the record, else replaced, so its id never is.
 * Undefined when the last run had no demo app `n`.
 */
export const restoreDemoApp = async (
  n: number,
  saved: SavedApps,
  lastKeys: readonly DemoAppKeys[],
  settings: DemoAppSettings,
): Promise<{ app: AppRecord; apiKey: string; privateJwk: JWK } | undefined> => {
  const appId = saved.demoAppIds[n - 1];
  const record = saved.records.find((candidate) => candidate.appId === appId);
  if (!record) return undefined;
  const last = lastKeys.find((keys) => keys.appId === appId);
  const apiKey = last && hashApiKey(last.apiKey) === record.apiKeyHash ? last.apiKey : generateApiKey();
  const privateJwk =
    last && samePublicKey(last.privateJwk, record.publicJwk)
      ? last.privateJwk
      : (await newAppKeyPair()).privateJwk;
  const app: AppRecord = {
    ...record,
    ...settings,
    apiKeyHash: hashApiKey(apiKey),
    publicJwk: publicPartOf(privateJwk),
  };
  await createApp(app);
  return { app, apiKey, privateJwk };
};
