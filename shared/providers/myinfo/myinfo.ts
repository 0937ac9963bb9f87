import type { AppRecord, MyinfoPersonSettings, UpstreamProfile } from '../../apps/app-record.ts';
import type { Caller } from '../../apps/caller.ts';
import { AccessRefused } from '../../core/errors.ts';
import type { FlowContext } from '../../core/flow-context.ts';
import { claimState } from '../claim-state.ts';
import {
  completePkiOAuth,
  type PkiOAuthConfig,
  type PkiOAuthFlow,
  pkiOAuthFlow,
  startPkiOAuth,
} from '../pki-oauth/flow.ts';
import {
  type SingpassFapiConfig,
  type SingpassSecretConfig,
  singpassKeys,
} from '../singpass-fapi/configuration.ts';
import { fapiRelyingParty } from '../singpass-fapi/flow.ts';
import { fapiRegistration, usesFapi } from '../singpass-fapi/profile.ts';

/** Myinfo v3: person data for the NRIC/FIN the access token names. */
export const myinfoV3Flow = (config: PkiOAuthConfig, context: FlowContext): PkiOAuthFlow =>
  pkiOAuthFlow(
    {
      provider: 'myinfo',
      profile: {
        name: 'Myinfo',
        dataPath: (uinfin) => `/person/${uinfin}/`,
        // NRIC (S/T) or FIN (F/G/M): one letter, seven digits, one letter.
        subject: /^[STFGM]\d{7}[A-Z]$/,
      },
      // Myinfo v3 needs the attributes and purpose; a record may hold only its FAPI registration.
      settings: (app) => {
        const { callbackUrl, attributes, purpose, subentity } = app.providers.myinfo ?? {};
        if (!callbackUrl || !attributes || !purpose) return undefined;
        return subentity
          ? { callbackUrl, attributes, purpose, subentity }
          : { callbackUrl, attributes, purpose };
      },
    },
    config,
    context,
  );

/** Myinfo: v3 (PKI_SIGN), or v5 through Singpass FAPI 2.0, as each app's profile says. */
export interface MyinfoConfig {
  readonly v3: PkiOAuthConfig;
  /** Myinfo v5: the Singpass FAPI 2.0 issuer; each app's Myinfo registration is in its record. */
  readonly fapi: SingpassFapiConfig;
  /** Our Singpass relying-party keys, which FAPI 2.0 requests are made with. */
  readonly singpassSecret: SingpassSecretConfig;
  /** The profile of apps whose record names none. */
  readonly defaultProfile: UpstreamProfile;
}

const myinfoSettings = (app: AppRecord): MyinfoPersonSettings => {
  const settings = app.providers.myinfo;
  if (!settings) throw new AccessRefused('provider_not_enabled', 'Myinfo is not enabled for this app.');
  return settings;
};

/** `GET /myinfo/init` and `GET /myinfo/token`. */
export const myinfoProvider = (config: MyinfoConfig, context: FlowContext) => {
  const v3 = myinfoV3Flow(config.v3, context);
  const fapi = fapiRelyingParty(config.fapi, context, singpassKeys(context.secrets, config.singpassSecret));
  return {
    /**
     * Myinfo v3, or Myinfo v5 through Singpass FAPI 2.0 (a PAR as the app's Myinfo registration,
     * asking `openid` plus its catalog scopes; the purpose is the registration's, so none is
     * sent), as the app's profile says; the app sees the same 302.
     */
    start: async (app: AppRecord): Promise<string> => {
      const settings = myinfoSettings(app);
      if (!usesFapi(settings, config.defaultProfile)) return startPkiOAuth(v3, app);
      const registration = fapiRegistration('Myinfo', settings.fapi2);
      return fapi.start(
        'Myinfo',
        {
          appId: app.appId,
          clientId: registration.clientId,
          redirectUri: settings.callbackUrl,
          scope: ['openid', ...registration.scopes].join(' '),
        },
        () => ({ provider: 'myinfo', attributes: registration.scopes.join(',') }),
      );
    },

    /**
     * The state says which protocol it was started on (so switching an app's profile never
     * strands a user mid-flow). Under FAPI 2.0 the sealed payload is the verified userinfo JWT's
     * claims, byte for byte, as Myinfo v5 returns them.
     */
    finish: async (caller: Caller, code: string, state: string): Promise<string> => {
      const { app, saved } = await claimState(context, caller, state, 'myinfo', myinfoSettings);
      if (!saved.fapi) return completePkiOAuth(v3, app, saved, code);
      const redeemed = await fapi.redeem('Myinfo', { ...saved, fapi: saved.fapi }, code);
      return context.tokens.sealDataToken(await redeemed.userinfo(), app);
    },
  };
};

export type MyinfoProvider = ReturnType<typeof myinfoProvider>;
