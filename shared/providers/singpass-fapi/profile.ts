import type { UpstreamProfile } from '../../apps/app-record.ts';
import { AccessRefused } from '../../core/errors.ts';

/** The app's record names its profile; an app that names none follows the deployment's default. */
export const usesFapi = (settings: { profile?: UpstreamProfile }, defaultProfile: UpstreamProfile): boolean =>
  (settings.profile ?? defaultProfile) === 'fapi2';

/**
 * The app's Singpass registration for FAPI 2.0. A record that names its profile always has it;
 * one that follows the deployment's default may not, and is refused like a disabled provider.
 */
export const fapiRegistration = <T>(product: string, registration: T | undefined): T => {
  if (registration === undefined) {
    throw new AccessRefused(
      'provider_not_enabled',
      `${product} under Singpass FAPI 2.0 has no Singpass registration recorded for this app.`,
    );
  }
  return registration;
};
