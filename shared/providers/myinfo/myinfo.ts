import { setting } from '../../config/env.ts';
import { pkiCredentials } from '../../secrets/pki-credentials.ts';
import type { PkiOAuthFlow } from '../pki-oauth/flow.ts';

/** Myinfo v3: person data for the NRIC/FIN the access token names. */
export const myinfoFlow: PkiOAuthFlow = {
  provider: 'myinfo',
  profile: () => ({
    name: 'Myinfo',
    baseUrl: setting('MYINFO_BASE_URL').replace(/\/+$/, ''),
    dataPath: (uinfin) => `/person/${uinfin}/`,
    // NRIC (S/T) or FIN (F/G/M): one letter, seven digits, one letter.
    subject: /^[STFGM]\d{7}[A-Z]$/,
  }),
  credentials: pkiCredentials(() => setting('MYINFO_SECRET_ID')),
};
