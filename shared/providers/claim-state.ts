import type { AppRecord } from '../apps/app-record.ts';
import { type Caller, loadCallerApp } from '../apps/caller.ts';
import { type AuthState, consumeState, type Provider } from '../store/state-store.ts';

/**
 * The caller's app is re-checked before its state is consumed, not beside it: a call refused for a
 * disabled app or a rotated-out key (which the authorizer's cache may still let through) must
 * leave the state for the rightful call.
 */
export const claimState = async <P extends Provider>(
  caller: Caller,
  state: string,
  provider: P,
): Promise<{ app: AppRecord; saved: Extract<AuthState, { provider: P }> }> => {
  const app = await loadCallerApp(caller);
  const saved = await consumeState(state, caller.appId, provider);
  return { app, saved };
};
