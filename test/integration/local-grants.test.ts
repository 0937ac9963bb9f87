import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { getApp } from '../../shared/adapters/dynamodb/app-store.ts';
import { runAsFunction } from '../../shared/adapters/invoking-function.ts';
import { secretsManagerSource } from '../../shared/adapters/secrets-manager.ts';
import { cpfhubCredentialsFrom } from '../../shared/secrets/cpfhub-credentials.ts';
import { pkiCredentials } from '../../shared/secrets/pki-credentials.ts';
import { signingKeysFrom } from '../../shared/secrets/signing-keys.ts';
import { demoApp } from '../helpers/assertions.ts';
import { basic, myinfoInit } from '../helpers/flows.ts';
import { newStateValue, nowSeconds, saveState } from '../support/table-states.ts';

/**
 * The local stack holds each function to the CDK stack's grants (infra/access.ts): the Secrets
 * Manager endpoint and the guard in front of DynamoDB Local refuse what the function's role would
 * not allow on AWS, so every other integration test, passing, shows the grants are enough, and
 * these show they are no wider.
 */
let stack: LocalStack;
before(async () => {
  stack = await startLocalStack({ demoAppCount: 1 });
});
after(async () => {
  await stack?.stop();
});

const accessDenied = (action: string) => (error: unknown) => {
  assert.equal((error as Error).name, 'AccessDeniedException');
  assert.match((error as Error).message, new RegExp(`is not authorized to perform: ${action} on resource`));
  return true;
};

describe('authorise-init starts flows knowing client ids from configuration', () => {
  test('it builds CPFHub’s and Myinfo’s authorise URLs, yet may not read either upstream’s secret', async () => {
    const app = demoApp(stack, 0);
    const cpfhub = await fetch(`${stack.gatewayUrl}/cpfhub/oauth/init?scope=cpf_statement:read`, {
      headers: basic(app.apiKey),
      redirect: 'manual',
    });
    assert.equal(cpfhub.status, 302);
    const cpfhubUrl = new URL(cpfhub.headers.get('location') ?? '');
    assert.equal(cpfhubUrl.searchParams.get('client_id'), stack.handlerEnvironment.CPFHUB_CLIENT_ID);

    const myinfo = await myinfoInit(stack, app.apiKey);
    assert.equal(myinfo.status, 302);
    const myinfoUrl = new URL(myinfo.headers.get('location') ?? '');
    assert.equal(myinfoUrl.searchParams.get('client_id'), stack.handlerEnvironment.MYINFO_CLIENT_ID);

    await assert.rejects(
      runAsFunction('authorise-init', () =>
        cpfhubCredentialsFrom(
          secretsManagerSource(),
          () => stack.secretIds.cpfhub,
          () => ({ value: 'x', setting: 'CPFHUB_CLIENT_ID' }),
        )(),
      ),
      accessDenied('secretsmanager:GetSecretValue'),
    );
    await assert.rejects(
      runAsFunction('authorise-init', () =>
        pkiCredentials(secretsManagerSource(), () => stack.secretIds.myinfo)(),
      ),
      accessDenied('secretsmanager:GetSecretValue'),
    );
  });
});

describe('secrets, as each function may read them', () => {
  test('jwks is refused the signing keys it publishes the public halves of', async () => {
    await assert.rejects(
      runAsFunction('jwks', () => signingKeysFrom(secretsManagerSource(), () => stack.secretIds.signing)()),
      accessDenied('secretsmanager:GetSecretValue'),
    );
    const published = await fetch(stack.secpassJwksUrl);
    assert.equal(published.status, 200);
  });

  test('token-exchange, which signs tokens, may read them', async () => {
    const { current } = await runAsFunction('token-exchange', () =>
      signingKeysFrom(secretsManagerSource(), () => stack.secretIds.signing)(),
    );
    assert.ok(current.kid);
  });
});

describe('the table, as each function may use it', () => {
  test('jwks may not read an app; the authorizer may', async () => {
    const { appId } = demoApp(stack, 0);
    await assert.rejects(
      runAsFunction('jwks', () => getApp(appId)),
      accessDenied('dynamodb:GetItem'),
    );
    assert.equal((await runAsFunction('authorizer', () => getApp(appId)))?.appId, appId);
  });

  test('the authorizer may not write a state; authorise-init may', async () => {
    const state = {
      state: newStateValue(),
      appId: demoApp(stack, 0).appId,
      // A Myinfo v3 state holds nothing sealed, so the write is the first thing the grants decide.
      provider: 'myinfo' as const,
      expiresAt: nowSeconds() + 60,
      redirectUri: 'https://example.com/callback',
      attributes: 'uinfin,name',
    };
    await assert.rejects(
      runAsFunction('authorizer', () => saveState(state)),
      accessDenied('dynamodb:PutItem'),
    );
    await runAsFunction('authorise-init', () => saveState(state));
  });

  test('outside any function the operator (the admin command, this test) may do anything', async () => {
    assert.equal((await getApp(demoApp(stack, 0).appId))?.status, 'active');
  });
});
