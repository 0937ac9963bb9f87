import { AccessRefused } from '../core/errors.ts';
import type { AppDirectory } from '../core/ports.ts';
import type { AppRecord } from './app-record.ts';

/**
 * Who is calling: the app the authorizer named, and either the hash of the key actually presented
 * or, for a call with no Authorization header, the sandbox deployment's designated app.
 */
export type Caller = { appId: string; keyHash: string } | { appId: string; sandbox: true };

export const denied = () => new AccessRefused('invalid_api_key', 'The API key is missing or invalid.');

// A keyless caller was checked against this deployment's sandbox app when it was read from the event.
const presentedFor = (caller: Caller, app: AppRecord): boolean =>
  'keyHash' in caller ? app.apiKeyHash === caller.keyHash : true;

/**
 * The caller's app, re-read and re-checked: API Gateway caches the authorizer's answer for
 * minutes, so a disabled app or a rotated-out key must also be refused here, at once.
 */
export const loadCallerApp = async (apps: AppDirectory, caller: Caller): Promise<AppRecord> => {
  const app = await apps.get(caller.appId);
  if (app?.status !== 'active' || !presentedFor(caller, app)) throw denied();
  return app;
};
