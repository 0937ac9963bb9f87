import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ForbiddenError } from '../http/errors.ts';
import { apiKeyFromAuthorization, authorizationHeaderOf, hashApiKey } from './api-key.ts';
import type { AppRecord } from './app-record.ts';
import { getApp } from './app-store.ts';
import { sandboxAppId } from './sandbox.ts';

/**
 * Who is calling: the app the authorizer named, and either the hash of the key actually presented
 * or, for a call with no Authorization header, the sandbox deployment's designated app.
 */
export type Caller = { appId: string; keyHash: string } | { appId: string; sandbox: true };

const denied = () => new ForbiddenError('invalid_api_key', 'The API key is missing or invalid.');

export const callerOf = (event: APIGatewayProxyEvent): Caller => {
  const appId = event.requestContext?.authorizer?.appId;
  if (typeof appId !== 'string' || appId === '') throw denied();
  const header = authorizationHeaderOf(event.headers);
  if (header === undefined) {
    // Checked here too, not only in the authorizer: this function's own configuration must say sandbox.
    if (appId !== sandboxAppId()) throw denied();
    return { appId, sandbox: true };
  }
  const apiKey = apiKeyFromAuthorization(header);
  if (!apiKey) throw denied();
  return { appId, keyHash: hashApiKey(apiKey) };
};

const presentedFor = (caller: Caller, app: AppRecord): boolean =>
  'keyHash' in caller ? app.apiKeyHash === caller.keyHash : app.appId === sandboxAppId();

/**
 * The caller's app, re-read and re-checked: API Gateway caches the authorizer's answer for
 * minutes, so a disabled app or a rotated-out key must also be refused here, at once.
 */
export const loadCallerApp = async (caller: Caller): Promise<AppRecord> => {
  const app = await getApp(caller.appId);
  if (app?.status !== 'active' || !presentedFor(caller, app)) throw denied();
  return app;
};
