import { setting } from '../../config/env.ts';
import { clientIdOf } from '../../secrets/client-id.ts';
import { pkiCredentials } from '../../secrets/pki-credentials.ts';
import type { PkiOAuthFlow } from '../pki-oauth/flow.ts';

/**
 * Myinfo Business v2: the entity and its officer. The access token's subject is
 * `<UEN>_<UINFIN>`, and both parts go into the data path.
 */
export const myinfoBizFlow: PkiOAuthFlow = {
  provider: 'myinfobiz',
  profile: () => ({
    name: 'Myinfo Business',
    baseUrl: setting('MYINFOBIZ_BASE_URL').replace(/\/+$/, ''),
    dataPath: (subject) => {
      const [uen, uinfin] = subject.split('_');
      return `/entity-person/${uen}/${uinfin}/`;
    },
    // A UEN is nine or ten letters and digits; the officer's NRIC/FIN as for Myinfo.
    subject: /^[0-9A-Z]{9,10}_[STFGM]\d{7}[A-Z]$/,
  }),
  credentials: pkiCredentials(() => setting('MYINFOBIZ_SECRET_ID'), 'MYINFOBIZ_CLIENT_ID'),
  clientId: () => clientIdOf('MYINFOBIZ_CLIENT_ID'),
  settings: (app) => app.providers.myinfobiz,
};
