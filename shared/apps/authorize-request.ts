import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { apiKeyFromAuthorization, hashApiKey } from './api-key.ts';
import { findActiveAppByKeyHash } from './app-store.ts';

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

/** `Authorization: Basic <api key>` → the active app it belongs to, or an explicit deny (403). */
export const authorizeRequest = async (
  event: APIGatewayRequestAuthorizerEvent,
): Promise<APIGatewayAuthorizerResult> => {
  const header = event.headers?.Authorization ?? event.headers?.authorization;
  const apiKey = apiKeyFromAuthorization(header);
  const app = apiKey ? await findActiveAppByKeyHash(hashApiKey(apiKey)) : undefined;
  if (!app) return policy('anonymous', 'Deny', wholeApi(event.methodArn));
  return {
    ...policy(app.appId, 'Allow', wholeApi(event.methodArn)),
    context: { appId: app.appId },
    // The app's own usage plan meters and throttles it; an app without one is refused by the gateway.
    ...(app.usageKey ? { usageIdentifierKey: app.usageKey } : {}),
  };
};
