import { setting } from '../../config/env.ts';
import type { UpstreamName } from '../../http/errors.ts';
import { type AuthState, type FapiSession, newStateValue, saveState } from '../../store/state-store.ts';
import { nowSeconds } from '../../store/table.ts';
import { type AuthorizationRequest, pushAuthorization } from './session.ts';

type FapiState = Extract<AuthState, { fapi?: FapiSession }>;
type CommonFields = 'state' | 'appId' | 'expiresAt' | 'redirectUri' | 'fapi';
/** Omit applied to each member of a union, so the provider discriminant keeps its meaning. */
type OmitEach<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a flow keeps besides the fields every FAPI state has, given the session just pushed. */
type FlowFields = (fapi: FapiSession) => OmitEach<FapiState, CommonFields>;

/**
 * Starts a FAPI 2.0 flow for one of our routes: a fresh state, the pushed authorisation request,
 * then the state saved with the session (DPoP key included). Returns where the person is sent.
 */
export const startFapiFlow = async (
  upstream: UpstreamName,
  request: Omit<AuthorizationRequest, 'state'> & { appId: string },
  flowFields: FlowFields,
): Promise<string> => {
  const state = newStateValue();
  const { appId, ...pushed } = request;
  const { url, fapi } = await pushAuthorization(upstream, { ...pushed, state });
  await saveState({
    ...flowFields(fapi),
    state,
    appId,
    expiresAt: nowSeconds() + setting('STATE_TTL_SECONDS'),
    redirectUri: request.redirectUri,
    fapi,
  });
  return url;
};
