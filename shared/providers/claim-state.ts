import type { AppRecord } from '../apps/app-record.ts';
import { type Caller, loadCallerApp } from '../apps/caller.ts';
import type { Provider, StateOf } from '../core/auth-state.ts';
import type { AppDirectory, StateStore } from '../core/ports.ts';

/**
 * The caller's app, and that the product is still enabled for it, are checked before its state is
 * consumed, not beside it or after: a call refused for a disabled app, a rotated-out key (which the
 * authorizer's cache may still let through) or a product switched off mid-flow must leave the
 * state for the rightful call.
 */
export const claimState = async <P extends Provider>(
  { apps, states }: { apps: AppDirectory; states: StateStore },
  caller: Caller,
  state: string,
  provider: P,
  /** Throws the product's refusal when the app no longer has it. */
  requireEnabled: (app: AppRecord) => unknown,
): Promise<{ app: AppRecord; saved: StateOf<P> }> => {
  const app = await loadCallerApp(apps, caller);
  requireEnabled(app);
  const saved = await states.consume(state, caller.appId, provider);
  return { app, saved };
};
