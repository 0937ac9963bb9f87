import type { AppRecord, SgVerifySettings } from '../../apps/app-record.ts';
import { AccessRefused } from '../../core/errors.ts';
import type { FlowContext } from '../../core/flow-context.ts';
import type { ConfiguredClientId } from '../../secrets/client-id.ts';
import { type PkiCredentials, pkiCredentials } from '../../secrets/pki-credentials.ts';
import type { PkiOAuthProfile } from '../pki-oauth/upstream.ts';
import type { SgVerifyStores } from './ports.ts';

/** Where SG-Verify is, who we are to it, and where it calls us back. */
export interface SgVerifyConfig {
  /** SG-Verify's token and person APIs, e.g. https://test.api.myinfo.gov.sg/sgverify/v2 */
  apiBaseUrl: string;
  /** What a QR code opens in the Singpass app, e.g. https://app.singpass.gov.sg/sgverify */
  qrBaseUrl: string;
  /** Configuration, not secret; the secret's own is the fallback. */
  clientId: ConfiguredClientId;
  secretId: string;
  /** Secpass's public route SG-Verify calls back: the QR names it and the token call repeats it. */
  callbackUrl: string;
}

/** What every SG-Verify operation works with. */
export interface SgVerifyFlow {
  config: SgVerifyConfig;
  context: FlowContext;
  stores: SgVerifyStores;
  credentials: () => Promise<PkiCredentials>;
}

export const sgVerifyFlow = (
  config: SgVerifyConfig,
  context: FlowContext,
  stores: SgVerifyStores,
): SgVerifyFlow => ({
  config,
  context,
  stores,
  credentials: pkiCredentials(
    context.secrets,
    () => config.secretId,
    () => config.clientId,
  ),
});

/** The upstream profile, from the configuration as it reads now. */
export const sgVerifyProfile = (config: SgVerifyConfig): PkiOAuthProfile => ({
  name: 'SG-Verify',
  baseUrl: config.apiBaseUrl.replace(/\/+$/, ''),
  dataPath: (uuid) => `/person/${uuid}/`,
  // SG-Verify names the person by their Singpass uuid.
  subject: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
});

export const settingsOf = (app: AppRecord): SgVerifySettings => {
  const settings = app.providers.sgverify;
  if (!settings) throw new AccessRefused('provider_not_enabled', 'SG-Verify is not enabled for this app.');
  return settings;
};
