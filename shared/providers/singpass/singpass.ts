import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import * as z from 'zod/mini';
import type { AppRecord, SingpassFapiRegistration, SingpassSettings } from '../../apps/app-record.ts';
import type { Caller } from '../../apps/caller.ts';
import { setting } from '../../config/env.ts';
import { signLoginToken } from '../../crypto/secpass-token.ts';
import { ForbiddenError } from '../../http/errors.ts';
import { callUpstream, parseUpstreamJson } from '../../http/upstream.ts';
import { clientIdOf } from '../../secrets/client-id.ts';
import { loadSingpassKeys, type SingpassKeys } from '../../secrets/singpass-keys.ts';
import { newStateValue, saveState } from '../../store/state-store.ts';
import { nowSeconds } from '../../store/table.ts';
import { claimState } from '../claim-state.ts';
import { startFapiFlow } from '../singpass-fapi/flow.ts';
import { fapiRegistration, usesFapi } from '../singpass-fapi/profile.ts';
import { redeemCode } from '../singpass-fapi/session.ts';
import { singpassProvider } from './discovery.ts';
import { openIdToken, uuidOf } from './id-token.ts';

const singpassSettings = (app: AppRecord): SingpassSettings => {
  const settings = app.providers.singpass;
  if (!settings)
    throw new ForbiddenError('provider_not_enabled', 'Singpass Login is not enabled for this app.');
  return settings;
};

/** `POST /oidc/singpass/authReqUri`: a fresh single-use state and nonce, and the Singpass login URL. */
export const startSingpassLogin = async (app: AppRecord): Promise<string> => {
  const settings = singpassSettings(app);
  if (usesFapi(settings))
    return startFapiLogin(app, settings, fapiRegistration('Singpass Login', settings.fapi2));
  const provider = await singpassProvider();
  const clientId = clientIdOf('SINGPASS_CLIENT_ID');
  const state = newStateValue();
  const nonce = randomBytes(32).toString('base64url');
  await saveState({
    state,
    appId: app.appId,
    provider: 'singpass',
    expiresAt: nowSeconds() + setting('STATE_TTL_SECONDS'),
    redirectUri: settings.callbackUrl,
    nonce,
  });
  const url = new URL(provider.authorizationEndpoint);
  for (const [name, value] of Object.entries({
    scope: 'openid',
    response_type: 'code',
    client_id: clientId,
    redirect_uri: settings.callbackUrl,
    state,
    nonce,
  })) {
    url.searchParams.set(name, value);
  }
  return url.toString();
};

/** Singpass requires a Login app to say what each login is for; a Myinfo app must not. */
const authenticationContext = (registration: SingpassFapiRegistration): Record<string, string> => ({
  authentication_context_type: registration.authenticationContextType,
  ...(registration.authenticationContextMessage
    ? { authentication_context_message: registration.authenticationContextMessage }
    : {}),
});

/**
 * The same login under Singpass FAPI 2.0: a PAR as the app's Login registration, with its
 * authentication context and scopes; the nonce is kept in the FAPI session.
 */
const startFapiLogin = (
  app: AppRecord,
  settings: SingpassSettings,
  registration: SingpassFapiRegistration,
): Promise<string> =>
  startFapiFlow(
    'Singpass',
    {
      appId: app.appId,
      clientId: registration.clientId,
      redirectUri: settings.callbackUrl,
      scope: ['openid', ...registration.scopes].join(' '),
      extra: authenticationContext(registration),
    },
    (fapi) => ({ provider: 'singpass', nonce: fapi.nonce }),
  );

// Singpass accepts assertions of at most two minutes; one leaves room for clock skew.
const ASSERTION_LIFETIME_SECONDS = 60;

/** `private_key_jwt` client authentication: ES256, aud = the issuer, unique jti, short-lived. */
const clientAssertion = (keys: SingpassKeys, audience: string): Promise<string> =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: keys.signing.kid, typ: 'JWT' })
    .setIssuer(keys.clientId)
    .setSubject(keys.clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(nowSeconds() + ASSERTION_LIFETIME_SECONDS)
    .sign(keys.signing.key);

const TokenResponse = z.object({ id_token: z.string().check(z.minLength(1)) });

/**
 * `POST /oidc/singpass/userInfo`: consume the state, exchange the code, open and check the ID
 * token, and answer a login token naming the person by UUID only. The state says which profile
 * the login started on.
 */
export const finishSingpassLogin = async (caller: Caller, code: string, state: string): Promise<string> => {
  const { app, saved } = await claimState(caller, state, 'singpass', singpassSettings);
  if (saved.fapi) {
    const { subject } = await redeemCode('Singpass', { ...saved, fapi: saved.fapi }, code);
    return signLoginToken(uuidOf(subject), app.appId);
  }
  const [provider, keys] = await Promise.all([singpassProvider(), loadSingpassKeys()]);
  const response = await callUpstream('Singpass', provider.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: saved.redirectUri,
      client_id: keys.clientId,
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await clientAssertion(keys, provider.issuer),
    }).toString(),
  });
  const { id_token: idToken } = parseUpstreamJson('Singpass', TokenResponse, response.body);
  const claims = await openIdToken(idToken, keys, provider, saved.nonce);
  return signLoginToken(uuidOf(claims.sub), app.appId);
};
