import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretSource, SecretValue } from '../core/ports.ts';
import { expiring } from '../util/expiring.ts';
import { setting } from './env.ts';
import { awsClientOptions } from './invoking-function.ts';

let client: SecretsManagerClient | undefined;
const secretsClient = (): SecretsManagerClient => {
  client ??= new SecretsManagerClient(awsClientOptions());
  return client;
};

const readSecret = async (secretId: string): Promise<SecretValue> => {
  const result = await secretsClient().send(new GetSecretValueCommand({ SecretId: secretId }));
  if (result.SecretString === undefined) throw new Error('secret has no string value');
  return { text: result.SecretString };
};

/**
 * Secrets read once per container and kept for SECRETS_CACHE_SECONDS, so a rotation reaches every
 * warm container within that time; concurrent callers share one read and a failed read is not
 * kept. Each function composes its own source, as each Lambda container has its own: where one
 * process hosts them all (the local runtime), one function's read must not serve another that may
 * not read the secret.
 */
export const secretsManagerSource = (): SecretSource => {
  const readers = new Map<string, (id: string) => Promise<SecretValue>>();
  return {
    read: (secretId) => {
      let reader = readers.get(secretId);
      if (!reader) {
        reader = expiring(readSecret, () => setting('SECRETS_CACHE_SECONDS') * 1000);
        readers.set(secretId, reader);
      }
      return reader(secretId);
    },
  };
};
