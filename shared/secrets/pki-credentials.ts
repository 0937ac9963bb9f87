import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import * as z from 'zod/mini';
import { parsedSecret } from '../core/parsed-secret.ts';
import type { SecretSource } from '../core/ports.ts';
import { type ConfiguredClientId, clientIdOf } from './client-id.ts';

/**
 * Credentials for a PKI_SIGN upstream (Myinfo, Myinfo Business and SG-Verify): our client secret,
 * our RSA private keys (signing requests, decrypting answers) and the upstream's certificates
 * (verifying its tokens and data). Lists are current-first for rotation. The client id is
 * configuration; a `clientId` here is its fallback, for secrets written before it moved.
 */
export const PkiCredentialsSecret = z.object({
  clientId: z.optional(z.string().check(z.minLength(1))),
  clientSecret: z.string().check(z.minLength(1)),
  privateKeys: z.array(z.string().check(z.includes('PRIVATE KEY'))).check(z.minLength(1)),
  upstreamCertificates: z.array(z.string().check(z.includes('-----BEGIN'))).check(z.minLength(1)),
});
export type PkiCredentialsSecret = z.infer<typeof PkiCredentialsSecret>;

export interface PkiCredentials {
  clientId: string;
  clientSecret: string;
  /** The current private key: requests are signed with it. */
  signingKey: KeyObject;
  /** Every private key still valid, current first: answers may be encrypted to any of them. */
  privateKeys: KeyObject[];
  upstreamKeys: KeyObject[];
}

/**
 * The upstream's credentials from its secret, with the client id from `clientIdSetting` (the
 * secret's own `clientId` when the configuration names none, or when no setting is given, as for
 * tools that read a secret directly).
 */
export const pkiCredentials = (
  secrets: SecretSource,
  secretId: () => string,
  configuredClientId?: () => ConfiguredClientId,
) =>
  parsedSecret(secrets, secretId, (raw): PkiCredentials => {
    const secret = PkiCredentialsSecret.parse(JSON.parse(raw));
    const privateKeys = secret.privateKeys.map((pem) => createPrivateKey(pem));
    const [signingKey] = privateKeys;
    if (!signingKey) throw new Error('no private key');
    return {
      get clientId() {
        if (configuredClientId) return clientIdOf(configuredClientId(), secret.clientId);
        if (secret.clientId === undefined) throw new Error('the secret names no client id');
        return secret.clientId;
      },
      clientSecret: secret.clientSecret,
      signingKey,
      privateKeys,
      upstreamKeys: secret.upstreamCertificates.map((pem) => createPublicKey(pem)),
    };
  });
