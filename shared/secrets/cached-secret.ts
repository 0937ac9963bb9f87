import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsClientOptions, invokingFunction } from '../aws/invoking-function.ts';
import { setting } from '../config/env.ts';
import { expiring } from '../util/expiring.ts';

let client: SecretsManagerClient | undefined;
const secretsClient = (): SecretsManagerClient => {
  client ??= new SecretsManagerClient(awsClientOptions());
  return client;
};

/**
 * A secret read once per container and kept for SECRETS_CACHE_SECONDS, so a rotation reaches
 * every warm container within that time. `parse` runs once per read (key import is costly);
 * concurrent callers share one read; a failed read is not cached. Each function keeps its own
 * copy, as each Lambda container does: where one process hosts them all (the local runtime), one
 * function's read must not serve another that may not read the secret.
 */
export const cachedSecret = <T>(secretId: () => string, parse: (raw: string) => Promise<T> | T) => {
  const readSecret = async (id: string) => {
    const result = await secretsClient().send(new GetSecretValueCommand({ SecretId: id }));
    if (result.SecretString === undefined) throw new Error('secret has no string value');
    return parse(result.SecretString);
  };
  const readers = new Map<string, (id: string) => Promise<T>>();
  const readerOf = (caller: string) => {
    let reader = readers.get(caller);
    if (!reader) {
      reader = expiring(readSecret, () => setting('SECRETS_CACHE_SECONDS') * 1000);
      readers.set(caller, reader);
    }
    return reader;
  };
  return (): Promise<T> => readerOf(invokingFunction() ?? '')(secretId());
};
