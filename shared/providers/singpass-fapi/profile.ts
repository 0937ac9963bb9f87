import type { UpstreamProfile } from '../../apps/app-record.ts';
import { setting } from '../../config/env.ts';

/** The app's record names its profile; an app that names none follows the deployment's default. */
export const usesFapi = (settings: { profile?: UpstreamProfile }): boolean =>
  (settings.profile ?? setting('DEFAULT_UPSTREAM_PROFILE')) === 'fapi2';
