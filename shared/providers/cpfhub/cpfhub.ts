import type { APIGatewayProxyResult } from 'aws-lambda';
import type { AppRecord, CpfhubSettings } from '../../apps/app-record.ts';
import { type Caller, loadCallerApp } from '../../apps/caller.ts';
import { ForbiddenError } from '../../http/errors.ts';
import { loadCpfhubCredentials } from '../../secrets/cpfhub-credentials.ts';
import { revokeGrant, usableGrant } from './grants.ts';
import { type CpfhubCall, cpfhubAnswer, requireScope, sendToCpfhub } from './proxy.ts';

export const cpfhubSettings = (app: AppRecord): CpfhubSettings => {
  const settings = app.providers.cpfhub;
  if (!settings) throw new ForbiddenError('provider_not_enabled', 'CPFHub is not enabled for this app.');
  return settings;
};

/** `ANY /cpfhub/{proxy+}`: the app's call with Secpass's own CPFHub API key, within the app's scopes. */
export const forwardWithApiKey = async (caller: Caller, call: CpfhubCall): Promise<APIGatewayProxyResult> => {
  const [app, credentials] = await Promise.all([loadCallerApp(caller), loadCpfhubCredentials()]);
  requireScope(call, cpfhubSettings(app).scopes);
  return cpfhubAnswer(await sendToCpfhub(call, credentials.apiKey));
};

/**
 * `ANY /cpfhub/user/{proxy+}`: the app's call with the user's access token, within what both
 * the user granted and the app may still use.
 */
export const forwardForUser = async (
  caller: Caller,
  grantId: string,
  call: CpfhubCall,
): Promise<APIGatewayProxyResult> => {
  const app = await loadCallerApp(caller);
  const allowance: readonly string[] = cpfhubSettings(app).scopes;
  const grant = await usableGrant(grantId, app.appId);
  requireScope(
    call,
    grant.scopes.filter((scope) => allowance.includes(scope)),
  );
  let response = await sendToCpfhub(call, grant.accessToken);
  if (response.status === 401) {
    // CPFHub ended the token before the expiry it announced: refresh once and try again.
    const renewed = await usableGrant(grantId, app.appId, grant.version);
    response = await sendToCpfhub(call, renewed.accessToken);
  }
  return cpfhubAnswer(response);
};

/** `DELETE /cpfhub/oauth/grant`. */
export const endGrant = async (caller: Caller, grantId: string): Promise<void> => {
  const app = await loadCallerApp(caller);
  await revokeGrant(grantId, app.appId);
};
