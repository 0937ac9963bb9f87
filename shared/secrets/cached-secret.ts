import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { setting } from '../config/env.ts';

let client: SecretsManagerClient | undefined;
const secretsClient = (): SecretsManagerClient => {
  client ??= new SecretsManagerClient({});
  return client;
};

/**
 * A secret read once per container and kept for SECRETS_CACHE_SECONDS, so a rotation reaches
 * every warm container within that time. `parse` runs once per read (key import is costly);
 * concurrent callers share one read; a failed read is not cached.
 */
export const cachedSecret = <T>(secretId: () => string, parse: (raw: string) => Promise<T> | T) => {
  let entry: { value: Promise<T>; expiresAt: number } | undefined;
  return (): Promise<T> => {
    const now = Date.now();
    if (entry && entry.expiresAt > now) return entry.value;
    const value = (async () => {
      const result = await secretsClient().send(new GetSecretValueCommand({ SecretId: secretId() }));
      if (result.SecretString === undefined) throw new Error('secret has no string value');
      return parse(result.SecretString);
    })();
    const current = { value, expiresAt: now + setting('SECRETS_CACHE_SECONDS') * 1000 };
    entry = current;
    value.catch(() => {
      if (entry === current) entry = undefined;
    });
    return value;
  };
};
