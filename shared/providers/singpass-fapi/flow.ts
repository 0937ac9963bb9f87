import { type AuthState, type FapiSession, newStateValue } from '../../core/auth-state.ts';
import type { UpstreamName } from '../../core/errors.ts';
import type { FlowContext } from '../../core/flow-context.ts';
import type { SingpassKeys } from '../../secrets/singpass-keys.ts';
import { fapiClients, type SingpassFapiConfig } from './configuration.ts';
import { type AuthorizationRequest, pushAuthorization, type RedeemedCode, redeemCode } from './session.ts';

type FapiState = Extract<AuthState, { fapi?: FapiSession }>;
type CommonFields = 'state' | 'appId' | 'expiresAt' | 'redirectUri' | 'fapi';
/** Omit applied to each member of a union, so the provider discriminant keeps its meaning. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a flow keeps besides the fields every FAPI state has, given the session just pushed. */
type FlowFields = (fapi: FapiSession) => OmitEach<FapiState, CommonFields>;

/** Our side of Singpass FAPI 2.0, for the products that use it (Singpass Login and Myinfo v5). */
export interface FapiRelyingParty {
  /**
   * Starts a flow for one of our routes: a fresh state, the pushed authorisation request, then
   * the state saved with the session (DPoP key included). Returns where the person is sent.
   */
  start(
    upstream: UpstreamName,
    request: Omit<AuthorizationRequest, 'state'> & { appId: string },
    flowFields: FlowFields,
  ): Promise<string>;
  /** Exchanges the code of a consumed state's session. */
  redeem(
    upstream: UpstreamName,
    session: { state: string; redirectUri: string; fapi: FapiSession },
    code: string,
  ): Promise<RedeemedCode>;
}

/**
 * The relying party of one provider instance: its discovery cache and its clients live as long as
 * the instance, and it reaches the issuer through the context's fetch.
 */
export const fapiRelyingParty = (
  config: SingpassFapiConfig,
  context: FlowContext,
  keys: () => Promise<SingpassKeys>,
): FapiRelyingParty => {
  const clients = fapiClients(config, context, keys);
  return {
    start: async (upstream, request, flowFields) => {
      const state = newStateValue();
      const { appId, ...pushed } = request;
      const { url, fapi } = await pushAuthorization(clients, upstream, { ...pushed, state });
      await context.states.save({
        ...flowFields(fapi),
        state,
        appId,
        expiresAt: context.stateExpiresAt(),
        redirectUri: request.redirectUri,
        fapi,
      });
      return url;
    },
    redeem: (upstream, session, code) => redeemCode(clients, upstream, session, code),
  };
};
