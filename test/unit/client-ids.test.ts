import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { configuredClientId } from '../../shared/adapters/broker-config.ts';
import { resetConfig } from '../../shared/adapters/env.ts';
import { clientIdOf, MissingClientIdError } from '../../shared/secrets/client-id.ts';

/**
 * Client ids are configuration (set by the stack from CDK context), so a function that only
 * builds an authorise URL reads no secret; a secret written before they moved may still hold one.
 */
const withEnvironment = (variables: Record<string, string | undefined>) => {
  for (const [name, value] of Object.entries(variables)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfig();
};

afterEach(() => withEnvironment({ MYINFO_CLIENT_ID: undefined, CPFHUB_CLIENT_ID: undefined }));

describe('client ids', () => {
  test('the configured id wins, even over one an older secret still holds', () => {
    withEnvironment({ MYINFO_CLIENT_ID: 'STG2-CONFIGURED' });
    const configured = configuredClientId('MYINFO_CLIENT_ID');
    assert.deepEqual(configured, { value: 'STG2-CONFIGURED', setting: 'MYINFO_CLIENT_ID' });
    assert.equal(clientIdOf(configured), 'STG2-CONFIGURED');
    assert.equal(clientIdOf(configured, 'STG2-FROM-SECRET'), 'STG2-CONFIGURED');
  });

  test('without configuration, a function that read the secret anyway falls back to its id', () => {
    assert.equal(clientIdOf(configuredClientId('MYINFO_CLIENT_ID'), 'STG2-FROM-SECRET'), 'STG2-FROM-SECRET');
  });

  test('neither: a typed error naming the variable, never a guessed id', () => {
    assert.throws(
      () => clientIdOf(configuredClientId('CPFHUB_CLIENT_ID')),
      (error: unknown) =>
        error instanceof MissingClientIdError &&
        error.code === 'missing_client_id' &&
        error.setting === 'CPFHUB_CLIENT_ID' &&
        /CPFHUB_CLIENT_ID/.test(error.message),
    );
  });

  test('an empty variable is a misconfiguration, not an absent one', () => {
    withEnvironment({ CPFHUB_CLIENT_ID: '' });
    assert.throws(
      () => clientIdOf(configuredClientId('CPFHUB_CLIENT_ID'), 'from-secret'),
      /CPFHUB_CLIENT_ID is missing or invalid/,
    );
  });
});
