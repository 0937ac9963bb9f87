import { type Client, errors, type KoaContextWithOIDC } from 'oidc-provider';
import { ACR } from './assurance.ts';
import { allowedScopesOf, type ClientRegistry, enabledContextTypesOf, type FapiClient } from './clients.ts';
import { AUTHENTICATION_CONTEXT_MESSAGE } from './published-rules.ts';

/**
 * Singpass's rules for the parameters of a pushed authorisation request, as oidc-provider
 * `extraParams` validators: the library calls each one, present or not, once the standard checks
 * have passed (and again when the browser brings the request_uri, with the same parameters).
 */
type ParamRule = (ctx: KoaContextWithOIDC, value: string | undefined, client: Client) => void;

const STATE = /^[A-Za-z0-9/+_\-=.]{1,255}$/;
const MAX_NONCE_LENGTH = 255;
/** What a client may ask for; loa:1 is only ever the outcome of a staging login. */
const ACR_VALUES: ReadonlySet<string> = new Set(Object.values(ACR));
const REDIRECT_URI_HTTPS_TYPES: ReadonlySet<string> = new Set(['standard_https', 'app_claimed_https']);

const refuse = (description: string): never => {
  throw new errors.InvalidRequest(description);
};

/**
 * The library drops scopes it has never heard of (v3 names such as `cpfbalances`) from the
 * parameter before this runs, so the pushed request's own body is read instead.
 */
const scopeAsSent = (ctx: KoaContextWithOIDC, value: string | undefined): string => {
  const sent = ctx.oidc.route === 'pushed_authorization_request' ? ctx.oidc.body?.scope : value;
  return typeof sent === 'string' ? sent : '';
};

const scopeRule =
  (appOf: (client: Client) => FapiClient): ParamRule =>
  (ctx, value, client) => {
    const requested = scopeAsSent(ctx, value).split(' ').filter(Boolean);
    if (!requested.includes('openid')) throw new errors.InvalidScope('openid must be requested', 'openid');
    const allowed = allowedScopesOf(appOf(client));
    for (const scope of requested) {
      if (!allowed.has(scope)) throw new errors.InvalidScope('the app is not allowed this scope', scope);
    }
  };

const contextTypeRule =
  (appOf: (client: Client) => FapiClient): ParamRule =>
  (_ctx, value, client) => {
    const app = appOf(client);
    if (app.appType === 'myinfo') {
      if (value !== undefined) refuse('authentication_context_type is only for Login apps');
      return;
    }
    if (value === undefined) refuse('authentication_context_type is required for Login apps');
    else if (!enabledContextTypesOf(app).has(value)) {
      refuse('authentication_context_type is not one enabled for this app');
    }
  };

const contextMessageRule =
  (appOf: (client: Client) => FapiClient): ParamRule =>
  (_ctx, value, client) => {
    if (value === undefined) return;
    if (appOf(client).appType !== 'login') refuse('authentication_context_message is only for Login apps');
    if (!AUTHENTICATION_CONTEXT_MESSAGE.test(value)) {
      refuse('authentication_context_message has characters or a length Singpass does not allow');
    }
  };

const stateRule: ParamRule = (_ctx, value) => {
  if (value === undefined || !STATE.test(value)) {
    refuse('state is required: up to 255 characters of A-Z a-z 0-9 / + _ - = .');
  }
};

const nonceRule: ParamRule = (_ctx, value) => {
  if (!value || value.length > MAX_NONCE_LENGTH) refuse('nonce is required, up to 255 characters');
};

const acrValuesRule: ParamRule = (_ctx, value) => {
  if (value === undefined) return;
  if (!value.split(' ').every((acr) => ACR_VALUES.has(acr))) refuse('acr_values has an unpublished value');
};

const redirectUriHttpsTypeRule: ParamRule = (_ctx, value) => {
  if (value !== undefined && !REDIRECT_URI_HTTPS_TYPES.has(value)) {
    refuse('redirect_uri_https_type must be standard_https or app_claimed_https');
  }
};

const appLaunchUrlRule: ParamRule = (_ctx, value) => {
  if (value !== undefined && URL.parse(value)?.protocol !== 'https:') refuse('app_launch_url must be https');
};

/**
 * The library binds the code to the PAR's DPoP key by filling `dpop_jkt` from the proof, so a
 * request with neither a proof nor `dpop_jkt` arrives here without one.
 */
const dpopBindingRule: ParamRule = (ctx, value) => {
  if (ctx.oidc.route === 'pushed_authorization_request' && value === undefined) {
    refuse('a DPoP proof (or dpop_jkt) is required');
  }
};

export const pushedRequestRules = (registry: ClientRegistry): Record<string, ParamRule> => {
  const appOf = (client: Client): FapiClient => {
    const app = registry.find(client.clientId);
    if (!app) throw new errors.InvalidClient('the client is not registered');
    return app;
  };
  return {
    scope: scopeRule(appOf),
    state: stateRule,
    nonce: nonceRule,
    authentication_context_type: contextTypeRule(appOf),
    authentication_context_message: contextMessageRule(appOf),
    acr_values: acrValuesRule,
    redirect_uri_https_type: redirectUriHttpsTypeRule,
    app_launch_url: appLaunchUrlRule,
    dpop_jkt: dpopBindingRule,
  };
};
