import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ACCESS, SECRET_NAMES, type SecretName } from '../../infra/access.ts';
import { FUNCTION_NAMES, type FunctionName } from '../../infra/routes.ts';
import { callerOf, secretsPolicy, tablePolicy } from '../../local/access-policy.ts';
import { newSigningJwk } from '../../local/dev-keys.ts';
import { accessesOf } from '../../local/dynamodb-guard.ts';
import { lambdaContext, loadHandler } from '../../local/lambda-runtime.ts';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { type SecretsEndpoint, startSecretsEndpoint } from '../../local/secrets-endpoint.ts';
import { accessKeyIdOf, invokingFunction, runAsFunction } from '../../shared/adapters/invoking-function.ts';
import { secretsManagerSource } from '../../shared/adapters/secrets-manager.ts';
import { publishedJwksFrom } from '../../shared/secrets/public-keys.ts';
import { withPublishedKeys } from '../../shared/secrets/publish-keys.ts';
import { signingKeysFrom } from '../../shared/secrets/signing-keys.ts';

/**
 * The local endpoints enforce the CDK stack's grants (infra/access.ts): each function's calls
 * are signed with its own name, and what its role could not do on AWS is refused locally too.
 */
const SECRET_IDS = Object.fromEntries(SECRET_NAMES.map((name) => [name, `grants/${name}`])) as Record<
  SecretName,
  string
>;

describe('who is calling', () => {
  test('the access key id of a SigV4 Authorization header names the caller', () => {
    const signedAs = (id: string) =>
      `AWS4-HMAC-SHA256 Credential=${id}/20270115/ap-southeast-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=abc`;
    // DynamoDB Local takes letters and digits only: the function's name without its dashes.
    assert.equal(accessKeyIdOf('person-fetch'), 'personfetch');
    assert.equal(callerOf(signedAs('personfetch')), 'person-fetch');
    assert.equal(callerOf(signedAs('local')), 'local');
    assert.equal(callerOf(undefined), undefined);
    assert.equal(callerOf('Basic abc'), undefined);
  });

  test('inside an invocation the runtime names the function; outside, nobody', async () => {
    assert.equal(invokingFunction(), undefined);
    const seen = await runAsFunction('jwks', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return invokingFunction();
    });
    assert.equal(seen, 'jwks');
    assert.equal(invokingFunction(), undefined);
  });
});

describe('the grants as policies', () => {
  const secrets = secretsPolicy(SECRET_IDS);
  const table = tablePolicy('secpass-local');

  for (const fn of FUNCTION_NAMES) {
    test(`${fn} may read exactly its granted secrets and use exactly its granted table actions`, () => {
      const readable = SECRET_NAMES.filter((name) =>
        secrets(fn, 'secretsmanager:GetSecretValue', SECRET_IDS[name]),
      );
      assert.deepEqual(
        readable,
        SECRET_NAMES.filter((name) => ACCESS[fn].secrets.includes(name)),
      );
      for (const name of SECRET_NAMES) {
        assert.equal(
          secrets(fn, 'secretsmanager:PutSecretValue', SECRET_IDS[name]),
          false,
          'no function writes',
        );
      }
      const actions = ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'Scan'].map(
        (op) => `dynamodb:${op}`,
      );
      assert.deepEqual(
        actions.filter((action) => table(fn, action, 'secpass-local')),
        actions.filter((action) => (ACCESS[fn].table as readonly string[]).includes(action)),
      );
      assert.equal(table(fn, 'dynamodb:GetItem', 'another-table'), false);
    });
  }

  test('the operator (any other caller) may do anything, as an administrator on AWS', () => {
    assert.equal(secrets('local', 'secretsmanager:PutSecretValue', SECRET_IDS.signing), true);
    assert.equal(secrets(undefined, 'secretsmanager:GetSecretValue', SECRET_IDS.cpfhub), true);
    assert.equal(table('local', 'dynamodb:Scan', 'secpass-local'), true);
  });

  test('a batch or transaction needs each action it performs, per table and item', () => {
    assert.deepEqual(
      accessesOf('TransactWriteItems', {
        TransactItems: [
          { Update: { TableName: 't' } },
          { Delete: { TableName: 't' } },
          { Put: { TableName: 'u' } },
          { ConditionCheck: { TableName: 't' } },
        ],
      }),
      [
        { action: 'dynamodb:UpdateItem', table: 't' },
        { action: 'dynamodb:DeleteItem', table: 't' },
        { action: 'dynamodb:PutItem', table: 'u' },
        { action: 'dynamodb:ConditionCheckItem', table: 't' },
      ],
    );
    assert.deepEqual(accessesOf('BatchGetItem', { RequestItems: { t: {}, u: {} } }), [
      { action: 'dynamodb:BatchGetItem', table: 't' },
      { action: 'dynamodb:BatchGetItem', table: 'u' },
    ]);
    assert.deepEqual(accessesOf('GetItem', { TableName: 't' }), [{ action: 'dynamodb:GetItem', table: 't' }]);
  });
});

describe('the local Secrets Manager endpoint, as each function calls it', () => {
  let endpoint: SecretsEndpoint;
  before(async () => {
    endpoint = await startSecretsEndpoint(0, { policy: secretsPolicy(SECRET_IDS) });
    useLocalEnvironment({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint.url,
      SECPASS_SIGNING_SECRET_ID: SECRET_IDS.signing,
      SECPASS_PUBLIC_KEYS_SECRET_ID: SECRET_IDS.publicKeys,
      SECRETS_CACHE_SECONDS: '300',
    });
    const signing = JSON.stringify({ keys: [await newSigningJwk()] });
    endpoint.put(SECRET_IDS.signing, signing);
    endpoint.put(SECRET_IDS.publicKeys, withPublishedKeys('{}', 'secpass', signing));
  });
  after(async () => {
    await endpoint?.stop();
  });

  const refused = (error: unknown) => {
    assert.equal((error as Error).name, 'AccessDeniedException');
    assert.match(
      (error as Error).message,
      /assumed-role\/jwks\/jwks is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:.*grants\/signing/,
    );
    return true;
  };

  // Each function composes its own secret source, as each Lambda container has its own.
  const signingKeysOfAFunction = () => signingKeysFrom(secretsManagerSource(), () => SECRET_IDS.signing);

  test('jwks may read the public keys, and is refused the signing keys as AWS would refuse it', async () => {
    const publishedJwks = publishedJwksFrom(secretsManagerSource(), () => SECRET_IDS.publicKeys);
    const published = await runAsFunction('jwks', () => publishedJwks('secpass'));
    assert.equal(published.length, 1);
    const signingKeys = signingKeysOfAFunction();
    await assert.rejects(
      runAsFunction('jwks', () => signingKeys()),
      refused,
    );
  });

  test('one function’s cached read never serves another: each keeps its own copy, as each Lambda does', async () => {
    const tokenExchange = signingKeysOfAFunction();
    const jwks = signingKeysOfAFunction();
    const signing = await runAsFunction('token-exchange', () => tokenExchange());
    assert.ok(signing.current.kid);
    await assert.rejects(
      runAsFunction('jwks', () => jwks()),
      refused,
    );
  });

  test('outside any invocation the caller is the operator, who may read and write anything', async () => {
    const client = new SecretsManagerClient({});
    try {
      const read = await client.send(new GetSecretValueCommand({ SecretId: SECRET_IDS.signing }));
      await client.send(
        new PutSecretValueCommand({ SecretId: SECRET_IDS.signing, SecretString: read.SecretString }),
      );
    } finally {
      client.destroy();
    }
  });

  test('the real jwks handler, run by the local runtime, publishes from the public keys secret alone', async () => {
    type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
    const handler = await loadHandler<Handler>('jwks' satisfies FunctionName);
    const event = {
      httpMethod: 'GET',
      resource: '/.well-known/jwks.json',
      path: '/.well-known/jwks.json',
      headers: {},
      requestContext: { requestId: 'grants-test' },
    } as unknown as APIGatewayProxyEvent;
    const response = await handler(event, lambdaContext('jwks'));
    assert.equal(response.statusCode, 200);
    const { keys } = JSON.parse(response.body) as { keys: { kid: string; d?: string }[] };
    assert.equal(keys.length, 1);
    assert.equal(keys[0]?.d, undefined);
  });
});
