import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { sandboxAppId } from '../adapters/sandbox.ts';
import { apiKeyFromAuthorization, authorizationHeaderOf, hashApiKey } from '../apps/api-key.ts';
import type { AppRecord } from '../apps/app-record.ts';
import type { AppDirectory } from '../core/ports.ts';

/**
 * API Gateway caches this answer per Authorization header for every route of the stage, so the
 * policy covers the whole API, not just the method that happened to be called first.
 */
// A method ARN is `arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<METHOD>/<path>`.
export const wholeApi = (methodArn: string): string => {
  const [apiArn, stage] = methodArn.split('/');
  return `${apiArn}/${stage}/*/*`;
};

const policy = (principalId: string, effect: 'Allow' | 'Deny', resource: string) => ({
  principalId,
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
  },
});

const appOfKey = async (apps: AppDirectory, header: string): Promise<AppRecord | undefined> => {
  const apiKey = apiKeyFromAuthorization(header);
  return apiKey ? apps.findActiveByKeyHash(hashApiKey(apiKey)) : undefined;
};

/** A keyless call, in a sandbox deployment only: the designated app, while it is active. */
const sandboxApp = async (apps: AppDirectory, appId: string | undefined): Promise<AppRecord | undefined> => {
  const app = appId ? await apps.get(appId) : undefined;
  return app?.status === 'active' ? app : undefined;
};

/**
 * `Authorization: Basic <api key>` → the active app it belongs to; no Authorization header at all
 * → the sandbox app where this deployment has one; anything else → an explicit deny (403). A call
 * that presents a key is always judged by its key, in a sandbox too.
 */
export const authorizeRequest = async (
  apps: AppDirectory,
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> => {
  const header = authorizationHeaderOf(event.headers);
  const app = header === undefined ? await sandboxApp(apps, sandboxAppId()) : await appOfKey(apps, header);
  if (!app) return policy('anonymous', 'Deny', wholeApi(event.methodArn));
  return {
    ...policy(app.appId, 'Allow', wholeApi(event.methodArn)),
    context: { appId: app.appId },
    // The app's own usage plan meters and throttles it; an app without one is refused by the gateway.
    ...(app.usageKey ? { usageIdentifierKey: app.usageKey } : {}),
  };
};
