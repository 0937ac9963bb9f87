import type { SecretName } from '../infra/access.ts';
import type { PublishedKeySet } from '../shared/secrets/public-keys.ts';
import { PublishError, withPublishedKeys } from '../shared/secrets/publish-keys.ts';
import type { SecretsEndpoint } from './secrets-endpoint.ts';

/**
 * What `npm run keys` does on AWS whenever it writes a secret whose keys a JWKS publishes, done
 * for the local stack's own writes (its seeding and `putSecret`): the public keys secret, which
 * is all the jwks function may read, follows the private one.
 */
export const publishLocalKeys = (
  secrets: Pick<SecretsEndpoint, 'read' | 'put'>,
  ids: Pick<Record<SecretName, string>, 'signing' | 'singpass' | 'publicKeys'>,
  written: string,
): void => {
  const published: Record<string, PublishedKeySet> = { [ids.signing]: 'secpass', [ids.singpass]: 'singpass' };
  const jwks = published[written];
  if (!jwks) return;
  try {
    secrets.put(
      ids.publicKeys,
      withPublishedKeys(secrets.read(ids.publicKeys), jwks, secrets.read(written) ?? ''),
    );
  } catch (error) {
    // A secret that is no valid key set (a test's deliberate misconfiguration) leaves the
    // published keys as they were, as `npm run keys` would refuse to publish it.
    if (!(error instanceof PublishError)) throw error;
  }
};
