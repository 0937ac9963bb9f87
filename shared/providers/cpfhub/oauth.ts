import { createHash, randomBytes } from 'node:crypto';
import type { AppRecord, CpfhubSettings } from '../../apps/app-record.ts';
import type { Caller } from '../../apps/caller.ts';
import { newStateValue } from '../../core/auth-state.ts';
import { AccessRefused, CodeRejected } from '../../core/errors.ts';
import type { FlowContext } from '../../core/flow-context.ts';
import type { CpfhubCredentials } from '../../secrets/cpfhub-credentials.ts';
import { claimState } from '../claim-state.ts';
import type { GrantKeeper } from './grants.ts';
import type { CpfhubOAuthClient } from './oauth-client.ts';

/** The app's CPFHub settings, when it may run the OAuth flow at all. */
const oauthSettings = (app: AppRecord): CpfhubSettings & { callbackUrl: string } => {
  const settings = app.providers.cpfhub;
  if (!settings?.callbackUrl) {
    throw new AccessRefused('provider_not_enabled', 'CPFHub user consent is not enabled for this app.');
  }
  return { ...settings, callbackUrl: settings.callbackUrl };
};

/** `scope` as asked: space-separated, each one within the app's allowance, none repeated. */
const allowedScope = (requested: string, settings: CpfhubSettings): string => {
  const scopes = requested.split(' ');
  const allowed: readonly string[] = settings.scopes;
  if (scopes.some((scope) => !allowed.includes(scope)) || new Set(scopes).size !== scopes.length) {
    throw new AccessRefused(
      'scope_not_allowed',
      'The scope asked for is not within this app’s CPFHub scopes.',
    );
  }
  return scopes.join(' ');
};

const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export interface CpfhubOAuthDeps {
  context: FlowContext;
  oauth: CpfhubOAuthClient;
  grants: GrantKeeper;
  credentials: () => Promise<CpfhubCredentials>;
  /** Our OAuth client's id, from configuration: starting a consent reads no secret. */
  clientId: () => string;
  /** `iss` of the grant token the app gets. */
  issuer: string;
}

export interface CpfhubOAuth {
  /** `GET /cpfhub/oauth/init`: a single-use state with a PKCE verifier, and CPFHub's authorize URL. */
  start(app: AppRecord, requestedScope: string): Promise<string>;
  /**
   * `GET /cpfhub/oauth/token`: consume the state, exchange the code with the PKCE verifier, keep
   * the user's tokens and answer the app a sealed Secpass token naming only the new grant's id.
   */
  finish(caller: Caller, code: string, state: string): Promise<string>;
}

export const cpfhubOAuth = ({
  context,
  oauth,
  grants,
  credentials,
  clientId,
  issuer,
}: CpfhubOAuthDeps): CpfhubOAuth => ({
  start: async (app, requestedScope) => {
    const settings = oauthSettings(app);
    const scope = allowedScope(requestedScope, settings);
    const client = clientId();
    const state = newStateValue();
    const codeVerifier = randomBytes(32).toString('base64url');
    await context.states.save({
      state,
      appId: app.appId,
      provider: 'cpfhub',
      expiresAt: context.stateExpiresAt(),
      redirectUri: settings.callbackUrl,
      scope,
      codeVerifier,
    });
    return oauth.authorizeUrl({
      clientId: client,
      redirectUri: settings.callbackUrl,
      scope,
      state,
      codeChallenge: pkceChallenge(codeVerifier),
    });
  },

  finish: async (caller, code, state) => {
    const { app, saved } = await claimState(context, caller, state, 'cpfhub', oauthSettings);
    const tokens = await oauth.requestTokens(await credentials(), {
      grant_type: 'authorization_code',
      code,
      redirect_uri: saved.redirectUri,
      code_verifier: saved.codeVerifier,
    });
    if (tokens === 'invalid_grant') {
      throw new CodeRejected(
        'CPFHub refused the authorisation code: it is used, expired or was not issued for this flow.',
      );
    }
    const grantId = randomBytes(32).toString('base64url');
    const scope = await grants.store(grantId, app.appId, tokens, saved.scope);
    const claims = { iss: issuer, aud: app.appId, iat: context.clock.nowSeconds(), grant_id: grantId, scope };
    return context.tokens.sealDataToken(new TextEncoder().encode(JSON.stringify(claims)), app);
  },
});
