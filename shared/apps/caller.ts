import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ForbiddenError } from '../http/errors.ts';
import { apiKeyFromAuthorization, hashApiKey } from './api-key.ts';
import type { AppRecord } from './app-record.ts';
import { getApp } from './app-store.ts';

/** Who is calling: the app the authorizer named, and the hash of the key actually presented. */
export interface Caller {
  appId: string;
  keyHash: string;
}

const denied = () => new ForbiddenError('invalid_api_key', 'The API key is missing or invalid.');

export const callerOf = (event: APIGatewayProxyEvent): Caller => {
  const appId = event.requestContext?.authorizer?.appId;
  const apiKey = apiKeyFromAuthorization(event.headers?.Authorization ?? event.headers?.authorization);
  if (typeof appId !== 'string' || appId === '' || !apiKey) throw denied();
  return { appId, keyHash: hashApiKey(apiKey) };
};

/**
 * The caller's app, re-read and re-checked: API Gateway caches the authorizer's answer for
 * minutes, so a disabled app or a rotated-out key must also be refused here, at once.
 */
export const loadCallerApp = async (caller: Caller): Promise<AppRecord> => {
  const app = await getApp(caller.appId);
  if (app?.status !== 'active' || app.apiKeyHash !== caller.keyHash) throw denied();
  return app;
};
