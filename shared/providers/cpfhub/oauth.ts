import { createHash, randomBytes } from 'node:crypto';
import type { AppRecord, CpfhubSettings } from '../../apps/app-record.ts';
import type { Caller } from '../../apps/caller.ts';
import { setting } from '../../config/env.ts';
import { sealDataToken } from '../../crypto/secpass-token.ts';
import { BadRequestError, ForbiddenError } from '../../http/errors.ts';
import { cpfhubClientId, loadCpfhubCredentials } from '../../secrets/cpfhub-credentials.ts';
import { newStateValue, saveState } from '../../store/state-store.ts';
import { nowSeconds } from '../../store/table.ts';
import { claimState } from '../claim-state.ts';
import { storeGrant } from './grants.ts';
import { authorizeUrl, requestTokens } from './oauth-client.ts';

/** The app's CPFHub settings, when it may run the OAuth flow at all. */
const oauthSettings = (app: AppRecord): CpfhubSettings & { callbackUrl: string } => {
  const settings = app.providers.cpfhub;
  if (!settings?.callbackUrl) {
    throw new ForbiddenError('provider_not_enabled', 'CPFHub user consent is not enabled for this app.');
  }
  return { ...settings, callbackUrl: settings.callbackUrl };
};

/** `scope` as asked: space-separated, each one within the app's allowance, none repeated. */
const allowedScope = (requested: string, settings: CpfhubSettings): string => {
  const scopes = requested.split(' ');
  const allowed: readonly string[] = settings.scopes;
  if (scopes.some((scope) => !allowed.includes(scope)) || new Set(scopes).size !== scopes.length) {
    throw new ForbiddenError(
      'scope_not_allowed',
      'The scope asked for is not within this app’s CPFHub scopes.',
    );
  }
  return scopes.join(' ');
};

const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** `GET /cpfhub/oauth/init`: a single-use state with a PKCE verifier, and CPFHub's authorize URL. */
export const startCpfhubOAuth = async (app: AppRecord, requestedScope: string): Promise<string> => {
  const settings = oauthSettings(app);
  const scope = allowedScope(requestedScope, settings);
  const clientId = cpfhubClientId();
  const state = newStateValue();
  const codeVerifier = randomBytes(32).toString('base64url');
  await saveState({
    state,
    appId: app.appId,
    provider: 'cpfhub',
    expiresAt: nowSeconds() + setting('STATE_TTL_SECONDS'),
    redirectUri: settings.callbackUrl,
    scope,
    codeVerifier,
  });
  return authorizeUrl({
    clientId,
    redirectUri: settings.callbackUrl,
    scope,
    state,
    codeChallenge: pkceChallenge(codeVerifier),
  });
};

/**
 * `GET /cpfhub/oauth/token`: consume the state, exchange the code with the PKCE verifier, keep
 * the user's tokens and answer the app a sealed Secpass token naming only the new grant's id.
 */
export const finishCpfhubOAuth = async (caller: Caller, code: string, state: string): Promise<string> => {
  const { app, saved } = await claimState(caller, state, 'cpfhub', oauthSettings);
  const tokens = await requestTokens(await loadCpfhubCredentials(), {
    grant_type: 'authorization_code',
    code,
    redirect_uri: saved.redirectUri,
    code_verifier: saved.codeVerifier,
  });
  if (tokens === 'invalid_grant') {
    throw new BadRequestError(
      'invalid_code',
      'CPFHub refused the authorisation code: it is used, expired or was not issued for this flow.',
    );
  }
  const grantId = randomBytes(32).toString('base64url');
  const scope = await storeGrant(grantId, app.appId, tokens, saved.scope);
  const claims = {
    iss: setting('SECPASS_ISSUER'),
    aud: app.appId,
    iat: nowSeconds(),
    grant_id: grantId,
    scope,
  };
  return sealDataToken(new TextEncoder().encode(JSON.stringify(claims)), app);
};
