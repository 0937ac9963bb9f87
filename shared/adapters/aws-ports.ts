import type { Ports } from '../core/ports.ts';
import { stateSealing } from '../core/state-sealing.ts';
import { stateKeysFrom } from '../secrets/state-keys.ts';
import { dynamoAppDirectory } from './dynamodb/app-store.ts';
import { dynamoStateStore } from './dynamodb/state-store.ts';
import { setting } from './env.ts';
import { secretsManagerSource } from './secrets-manager.ts';
import { systemClock } from './system-clock.ts';

/**
 * The ports as a function on AWS (or the local emulator, whose endpoints speak the same wire
 * protocols) gets them. Nothing is read or connected here: SDK clients and settings are taken on
 * first use, so a function pays only for what its routes call.
 */
export const awsPorts = (): Ports => {
  const secrets = secretsManagerSource();
  const clock = systemClock;
  return {
    clock,
    fetch: (url, init) => fetch(url, init),
    secrets,
    apps: dynamoAppDirectory(),
    states: dynamoStateStore({
      clock,
      sealing: stateSealing(stateKeysFrom(secrets, () => setting('STATE_KEYS_SECRET_ID'))),
    }),
  };
};
