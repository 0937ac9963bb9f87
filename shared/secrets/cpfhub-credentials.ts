import * as z from 'zod/mini';
import { parsedSecret } from '../core/parsed-secret.ts';
import type { SecretSource } from '../core/ports.ts';
import { type ConfiguredClientId, clientIdOf } from './client-id.ts';
import { KeyLifecycle } from './private-ec-jwk.ts';

/** An AES-256 key that seals something at rest, named so rotation can find it. */
export const AesKey = z.object({
  kid: z.string().check(z.minLength(1)),
  /** 32 random bytes, base64. */
  key: z.base64().check(z.refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes')),
  /** When nothing can still be sealed with it; it opens until dropped. */
  retireAfter: KeyLifecycle.retireAfter,
});

/**
 * Our CPFHub credentials: the API key the server-to-server proxy presents, the OAuth client's
 * secret and the keys users' tokens are sealed with (current first; older ones still open old
 * grants). The OAuth client's id is configuration (CPFHUB_CLIENT_ID); a `clientId` here is its
 * fallback, for secrets written before it moved.
 */
export const CpfhubSecret = z.object({
  apiKey: z.string().check(z.minLength(1)),
  clientId: z.optional(z.string().check(z.minLength(1))),
  clientSecret: z.string().check(z.minLength(1)),
  tokenKeys: z.array(AesKey).check(z.minLength(1)),
});
export type CpfhubSecret = z.infer<typeof CpfhubSecret>;

export interface SealingKey {
  kid: string;
  key: Buffer;
}

export interface CpfhubCredentials {
  apiKey: string;
  clientId: string;
  clientSecret: string;
  /** Seals newly stored tokens. */
  sealingKey: SealingKey;
  /** Every key still configured, by kid: opens tokens sealed before a rotation. */
  openingKeys: Map<string, Buffer>;
}

export const cpfhubCredentialsFrom = (
  secrets: SecretSource,
  secretId: () => string,
  configuredClientId: () => ConfiguredClientId,
) =>
  parsedSecret(secrets, secretId, (raw): CpfhubCredentials => {
    const secret = CpfhubSecret.parse(JSON.parse(raw));
    const keys = secret.tokenKeys.map(({ kid, key }) => ({ kid, key: Buffer.from(key, 'base64') }));
    const [sealingKey] = keys;
    if (!sealingKey) throw new Error('no token key');
    return {
      apiKey: secret.apiKey,
      get clientId() {
        return clientIdOf(configuredClientId(), secret.clientId);
      },
      clientSecret: secret.clientSecret,
      sealingKey,
      openingKeys: new Map(keys.map(({ kid, key }) => [kid, key])),
    };
  });
