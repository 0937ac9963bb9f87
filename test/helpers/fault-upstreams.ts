import { type FaultProxy, startFaultProxy } from '@secpass/simulators/fault-proxy';
import { resetConfig } from '../../shared/adapters/env.ts';

/** The settings that name where an upstream is; a fault proxy can stand in for any of them. */
export type UpstreamUrlSetting =
  | 'MYINFO_BASE_URL'
  | 'MYINFOBIZ_BASE_URL'
  | 'SGVERIFY_API_BASE_URL'
  | 'SINGPASS_DISCOVERY_URL'
  | 'CPFHUB_API_BASE_URL'
  | 'CPFHUB_OAUTH_BASE_URL';

/** Short, so a hung upstream ends a test in half a second; the setting's floor is 100. */
export const FAULT_UPSTREAM_TIMEOUT_MS = 500;

/** Longer than the timeout, so a slow answer arrives after the caller gave up. */
export const PAST_THE_TIMEOUT_MS = FAULT_UPSTREAM_TIMEOUT_MS + 300;

/** Bounds every fault test: a hang that the timeout failed to end fails the test instead of the run. */
export const FAULT_TEST_TIMEOUT_MS = 15_000;

/** The in-process handlers' upstream timeout; call before the stack starts or at any time after. */
export const useShortUpstreamTimeout = (): void => {
  process.env.UPSTREAM_TIMEOUT_MS = String(FAULT_UPSTREAM_TIMEOUT_MS);
  resetConfig();
};

/** Points the in-process handlers' `setting` at `url` (the handlers read settings per request). */
export const pointUpstream = (setting: UpstreamUrlSetting, url: string): void => {
  process.env[setting] = url;
  resetConfig();
};

/**
 * Puts a fault proxy between the in-process handlers and the upstream `setting` names: the same
 * path and query on the proxy's origin, so everything the handlers call there crosses the proxy.
 */
export const faultProxyFor = async (setting: UpstreamUrlSetting): Promise<FaultProxy> => {
  const direct = new URL(process.env[setting] ?? '');
  const proxy = await startFaultProxy({ target: direct.origin });
  pointUpstream(setting, `${proxy.url}${direct.pathname}${direct.search}`);
  return proxy;
};
