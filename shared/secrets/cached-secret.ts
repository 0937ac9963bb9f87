import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { setting } from '../config/env.ts';
import { expiring } from '../util/expiring.ts';

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
  const read = expiring(
    async (id: string) => {
      const result = await secretsClient().send(new GetSecretValueCommand({ SecretId: id }));
      if (result.SecretString === undefined) throw new Error('secret has no string value');
      return parse(result.SecretString);
    },
    () => setting('SECRETS_CACHE_SECONDS') * 1000,
  );
  return (): Promise<T> => read(secretId());
};
