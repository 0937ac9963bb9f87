import { dynamoStateStore } from '../../shared/adapters/dynamodb/state-store.ts';
import { setting } from '../../shared/adapters/env.ts';
import { secretsManagerSource } from '../../shared/adapters/secrets-manager.ts';
import { systemClock } from '../../shared/adapters/system-clock.ts';
import type { AuthState } from '../../shared/core/auth-state.ts';
import { stateSealing } from '../../shared/core/state-sealing.ts';
import { stateKeysFrom } from '../../shared/secrets/state-keys.ts';

export { newStateValue } from '../../shared/core/auth-state.ts';

/** Epoch seconds, as the adapters' clock reads them. */
export const nowSeconds = (): number => systemClock.nowSeconds();

const tableStates = () =>
  dynamoStateStore({
    clock: systemClock,
    sealing: stateSealing(stateKeysFrom(secretsManagerSource(), () => setting('STATE_KEYS_SECRET_ID'))),
  });

/** Plants a state in the local stack's table, as an init call would have. */
export const saveState = (state: AuthState): Promise<void> => tableStates().save(state);
