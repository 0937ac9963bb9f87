import { type TokenConfig, type TokenSealer, tokenSealer } from '../crypto/secpass-token.ts';
import type { Ports } from './ports.ts';
import { type UpstreamClient, upstreamClient } from './upstream-client.ts';

/** What every flow is configured with, whatever its upstream. */
export interface FlowSettings {
  token: TokenConfig;
  /** States live at most ten minutes; shorter is allowed. */
  stateTtlSeconds: number;
  upstreamTimeoutMs: number;
}

/** The ports plus what every flow derives from them: the token sealer and the upstream client. */
export interface FlowContext extends Ports {
  tokens: TokenSealer;
  http: UpstreamClient;
  /** When a state saved now expires (epoch seconds). */
  stateExpiresAt(): number;
}

export const flowContext = (ports: Ports, settings: FlowSettings): FlowContext => ({
  ...ports,
  tokens: tokenSealer(settings.token, ports),
  http: upstreamClient({ fetch: ports.fetch, timeoutMs: settings.upstreamTimeoutMs }),
  stateExpiresAt: () => ports.clock.nowSeconds() + settings.stateTtlSeconds,
});
