import * as z from 'zod/mini';
import { parsedSecret } from '../core/parsed-secret.ts';
import type { SecretSource } from '../core/ports.ts';
import { AesKey, type SealingKey } from './cpfhub-credentials.ts';

/**
 * The keys that seal what a pending flow keeps in the table until its code is exchanged: a FAPI
 * 2.0 session's DPoP private key, a PKCE verifier. Current first; an older key still opens the
 * states sealed before a rotation (they live at most ten minutes).
 */
export const StateKeysSecret = z.object({ keys: z.array(AesKey).check(z.minLength(1)) });
export type StateKeysSecret = z.infer<typeof StateKeysSecret>;

export interface StateKeys {
  sealingKey: SealingKey;
  openingKeys: Map<string, Buffer>;
}

export const stateKeysFrom = (secrets: SecretSource, secretId: () => string) =>
  parsedSecret(secrets, secretId, (raw): StateKeys => {
    const keys = StateKeysSecret.parse(JSON.parse(raw)).keys.map(({ kid, key }) => ({
      kid,
      key: Buffer.from(key, 'base64'),
    }));
    const [sealingKey] = keys;
    if (!sealingKey) throw new Error('no state key');
    return { sealingKey, openingKeys: new Map(keys.map(({ kid, key }) => [kid, key])) };
  });
