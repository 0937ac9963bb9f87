import type { AppRecord } from '../../apps/app-record.ts';
import type { Caller } from '../../apps/caller.ts';
import type { FlowContext } from '../../core/flow-context.ts';
import {
  finishPkiOAuth,
  type PkiOAuthConfig,
  type PkiOAuthFlow,
  pkiOAuthFlow,
  startPkiOAuth,
} from '../pki-oauth/flow.ts';

/**
 * Myinfo Business v2: the entity and its officer. The access token's subject is
 * `<UEN>_<UINFIN>`, and both parts go into the data path.
 */
export const myinfoBizFlow = (config: PkiOAuthConfig, context: FlowContext): PkiOAuthFlow =>
  pkiOAuthFlow(
    {
      provider: 'myinfobiz',
      profile: {
        name: 'Myinfo Business',
        dataPath: (subject) => {
          const [uen, uinfin] = subject.split('_');
          return `/entity-person/${uen}/${uinfin}/`;
        },
        // A UEN is nine or ten letters and digits; the officer's NRIC/FIN as for Myinfo.
        subject: /^[0-9A-Z]{9,10}_[STFGM]\d{7}[A-Z]$/,
      },
      settings: (app) => app.providers.myinfobiz,
    },
    config,
    context,
  );

/** `GET /myinfobiz/init` and `GET /myinfobiz/token`. */
export const myinfoBizProvider = (config: PkiOAuthConfig, context: FlowContext) => {
  const flow = myinfoBizFlow(config, context);
  return {
    start: (app: AppRecord) => startPkiOAuth(flow, app),
    finish: (caller: Caller, code: string, state: string) => finishPkiOAuth(flow, caller, code, state),
  };
};
