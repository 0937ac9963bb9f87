import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import * as z from 'zod/mini';
import type {
  AppRecord,
  SingpassFapiRegistration,
  SingpassSettings,
  UpstreamProfile,
} from '../../apps/app-record.ts';
import type { Caller } from '../../apps/caller.ts';
import { newStateValue } from '../../core/auth-state.ts';
import { AccessRefused } from '../../core/errors.ts';
import type { FlowContext } from '../../core/flow-context.ts';
import { parseUpstreamJson } from '../../core/upstream-client.ts';
import { clientIdOf } from '../../secrets/client-id.ts';
import type { SingpassKeys } from '../../secrets/singpass-keys.ts';
import { claimState } from '../claim-state.ts';
import {
  type SingpassFapiConfig,
  type SingpassSecretConfig,
  singpassKeys,
} from '../singpass-fapi/configuration.ts';
import { fapiRelyingParty } from '../singpass-fapi/flow.ts';
import { fapiRegistration, usesFapi } from '../singpass-fapi/profile.ts';
import { singpassDiscovery } from './discovery.ts';
import { openIdToken, uuidOf } from './id-token.ts';

/** Singpass Login: the legacy (NDI OIDC) registration, FAPI 2.0, and the keys both use. */
export interface SingpassConfig {
  /** The legacy registration's discovery document, e.g. https://stg-id.singpass.gov.sg/.well-known/openid-configuration */
  readonly discoveryUrl: string;
  /** How long the legacy JWKS fetch may take (the other calls go through the context's client). */
  readonly timeoutMs: number;
  /** Our relying-party keys, and the legacy registration's client id. */
  readonly secret: SingpassSecretConfig;
  /** FAPI 2.0 client ids are each app's own, in its record. */
  readonly fapi: SingpassFapiConfig;
  /** The profile of apps whose record names none. */
  readonly defaultProfile: UpstreamProfile;
}

const singpassSettings = (app: AppRecord): SingpassSettings => {
  const settings = app.providers.singpass;
  if (!settings)
    throw new AccessRefused('provider_not_enabled', 'Singpass Login is not enabled for this app.');
  return settings;
};

/** Singpass requires a Login app to say what each login is for; a Myinfo app must not. */
const authenticationContext = (registration: SingpassFapiRegistration): Record<string, string> => ({
  authentication_context_type: registration.authenticationContextType,
  ...(registration.authenticationContextMessage
    ? { authentication_context_message: registration.authenticationContextMessage }
    : {}),
});

// Singpass accepts assertions of at most two minutes; one leaves room for clock skew.
const ASSERTION_LIFETIME_SECONDS = 60;

/** `private_key_jwt` client authentication: ES256, aud = the issuer, unique jti, short-lived. */
const clientAssertion = (keys: SingpassKeys, audience: string, nowSeconds: number): Promise<string> =>
  new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: keys.signing.kid, typ: 'JWT' })
    .setIssuer(keys.clientId)
    .setSubject(keys.clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + ASSERTION_LIFETIME_SECONDS)
    .sign(keys.signing.key);

const TokenResponse = z.object({ id_token: z.string().check(z.minLength(1)) });

/**
 * `POST /oidc/singpass/authReqUri` and `POST /oidc/singpass/userInfo`. The instance keeps the
 * legacy discovery document and the FAPI issuer's metadata for the container's life.
 */
export const singpassProvider = (config: SingpassConfig, context: FlowContext) => {
  const keys = singpassKeys(context.secrets, config.secret);
  const discovery = singpassDiscovery(config, context);
  const fapi = fapiRelyingParty(config.fapi, context, keys);

  /** A fresh single-use state and nonce, and the Singpass login URL. */
  const startLegacy = async (app: AppRecord, settings: SingpassSettings): Promise<string> => {
    const issuer = await discovery();
    const clientId = clientIdOf(config.secret.legacyClientId);
    const state = newStateValue();
    const nonce = randomBytes(32).toString('base64url');
    await context.states.save({
      state,
      appId: app.appId,
      provider: 'singpass',
      expiresAt: context.stateExpiresAt(),
      redirectUri: settings.callbackUrl,
      nonce,
    });
    const url = new URL(issuer.authorizationEndpoint);
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

  /**
   * The same login under Singpass FAPI 2.0: a PAR as the app's Login registration, with its
   * authentication context and scopes; the nonce is kept in the FAPI session.
   */
  const startFapi = (
    app: AppRecord,
    settings: SingpassSettings,
    registration: SingpassFapiRegistration,
  ): Promise<string> =>
    fapi.start(
      'Singpass',
      {
        appId: app.appId,
        clientId: registration.clientId,
        redirectUri: settings.callbackUrl,
        scope: ['openid', ...registration.scopes].join(' '),
        extra: authenticationContext(registration),
      },
      (session) => ({ provider: 'singpass', nonce: session.nonce }),
    );

  return {
    /** `POST /oidc/singpass/authReqUri`: the login URL, on the profile the app's record names. */
    start: async (app: AppRecord): Promise<string> => {
      const settings = singpassSettings(app);
      if (usesFapi(settings, config.defaultProfile)) {
        return startFapi(app, settings, fapiRegistration('Singpass Login', settings.fapi2));
      }
      return startLegacy(app, settings);
    },

    /**
     * `POST /oidc/singpass/userInfo`: consume the state, exchange the code, open and check the ID
     * token, and answer a login token naming the person by UUID only. The state says which
     * profile the login started on.
     */
    finish: async (caller: Caller, code: string, state: string): Promise<string> => {
      const { app, saved } = await claimState(context, caller, state, 'singpass', singpassSettings);
      if (saved.fapi) {
        const { subject } = await fapi.redeem('Singpass', { ...saved, fapi: saved.fapi }, code);
        return context.tokens.signLoginToken(uuidOf(subject), app.appId);
      }
      const [issuer, relyingParty] = await Promise.all([discovery(), keys()]);
      const response = await context.http.call('Singpass', issuer.tokenEndpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: saved.redirectUri,
          client_id: relyingParty.clientId,
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: await clientAssertion(relyingParty, issuer.issuer, context.clock.nowSeconds()),
        }).toString(),
      });
      const { id_token: idToken } = parseUpstreamJson('Singpass', TokenResponse, response.body);
      const claims = await openIdToken(
        idToken,
        relyingParty,
        issuer,
        saved.nonce,
        context.clock.nowSeconds(),
      );
      return context.tokens.signLoginToken(uuidOf(claims.sub), app.appId);
    },
  };
};

export type SingpassProvider = ReturnType<typeof singpassProvider>;
