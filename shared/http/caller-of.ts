import type { APIGatewayProxyEvent } from 'aws-lambda';
import { sandboxAppId } from '../adapters/sandbox.ts';
import { apiKeyFromAuthorization, authorizationHeaderOf, hashApiKey } from '../apps/api-key.ts';
import { type Caller, denied } from '../apps/caller.ts';

/** The caller as the authorizer named it and the key it presented, read from the event. */
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
