import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CLIENT_IDS, type ClientIdName } from '../../infra/client-ids.ts';
import type { EnvironmentName } from '../../infra/environments.ts';
import { FUNCTION_NAMES } from '../../infra/routes.ts';
import { SecpassStack, type SecpassStackProps } from '../../infra/stack.ts';

/**
 * `-c env=sandbox -c sandboxAppId=…`: the API contract's keyless sandbox instance. Test and prod
 * refuse the setting at synth time.
 */
const SANDBOX_APP_ID = `app_${'5a'.repeat(16)}`;
/** A deployment names its client ids; without them synth warns, which is not what is tested here. */
const CLIENT_ID_CONTEXT = Object.fromEntries(
  Object.keys(CLIENT_IDS).map((name) => [name, `${name}-sandbox`]),
) as Record<ClientIdName, string>;

const cdkJsonContext = (): Record<string, unknown> =>
  (
    JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
      context: Record<string, unknown>;
    }
  ).context;

/** Without bundling: what is asserted here is the template around the functions, not their code. */
const synth = (props: SecpassStackProps) => {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] } });
  const stack = new SecpassStack(app, 'Secpass', { ...CLIENT_ID_CONTEXT, ...props });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return Template.fromStack(stack);
};

const authorizerOf = (template: Template): Record<string, unknown> => {
  const [authorizer] = Object.values(template.findResources('AWS::ApiGateway::Authorizer'));
  assert.ok(authorizer);
  return authorizer.Properties as Record<string, unknown>;
};

const functionVariables = (template: Template): Record<string, unknown>[] =>
  Object.values(template.findResources('AWS::Lambda::Function'))
    .map(
      (fn) =>
        (fn.Properties as { Environment?: { Variables?: Record<string, unknown> } }).Environment?.Variables,
    )
    .filter((variables): variables is Record<string, unknown> => variables?.SECPASS_TABLE !== undefined);

describe('a sandbox deployment with a sandbox app', () => {
  const template = synth({ environment: 'sandbox', sandboxAppId: SANDBOX_APP_ID });

  test('every function is told it is a sandbox and which app keyless calls act as', () => {
    const variables = functionVariables(template);
    assert.equal(variables.length, FUNCTION_NAMES.length);
    for (const env of variables) {
      assert.equal(env.SECPASS_ENVIRONMENT, 'sandbox');
      assert.equal(env.SECPASS_SANDBOX_APP_ID, SANDBOX_APP_ID);
    }
  });

  test('the authorizer has no identity source, so keyless calls reach it, and hence no cache', () => {
    const authorizer = authorizerOf(template);
    assert.equal(authorizer.IdentitySource, undefined);
    assert.equal(authorizer.AuthorizerResultTtlInSeconds, 0);
    assert.equal(authorizer.Type, 'REQUEST');
  });

  test('the stack outputs which app keyless calls act as', () => {
    template.hasOutput('SandboxAppId', { Value: SANDBOX_APP_ID });
  });

  test('private routes still go through the authorizer and require the app’s usage key', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method')).map(
      (method) => method.Properties as { AuthorizationType: string; ApiKeyRequired?: boolean },
    );
    const custom = methods.filter((method) => method.AuthorizationType === 'CUSTOM');
    assert.ok(custom.length > 0);
    for (const method of custom) assert.equal(method.ApiKeyRequired, true);
  });
});

describe('every other deployment requires a key of every call', () => {
  test('a sandbox without a sandbox app: the usual authorizer, and no sandbox variables', () => {
    const template = synth({ environment: 'sandbox' });
    const authorizer = authorizerOf(template);
    assert.equal(authorizer.IdentitySource, 'method.request.header.Authorization');
    assert.equal(authorizer.AuthorizerResultTtlInSeconds, 300);
    for (const env of functionVariables(template)) {
      assert.equal(env.SECPASS_ENVIRONMENT, undefined);
      assert.equal(env.SECPASS_SANDBOX_APP_ID, undefined);
    }
  });

  for (const environment of ['test', 'prod'] satisfies EnvironmentName[]) {
    test(`${environment} refuses a sandbox app at synth time`, () => {
      assert.throws(
        () => synth({ environment, sandboxAppId: SANDBOX_APP_ID }),
        new RegExp(
          `sandboxAppId is for -c env=sandbox only: a ${environment} deployment requires an API key`,
        ),
      );
    });
  }

  test('the default environment (test) refuses it too', () => {
    assert.throws(() => synth({ sandboxAppId: SANDBOX_APP_ID }), /sandboxAppId is for -c env=sandbox only/);
  });

  test('a sandbox app id must be an app id', () => {
    assert.throws(() => synth({ environment: 'sandbox', sandboxAppId: 'Demo app 1' }), /must be an app id/);
  });
});

const run = promisify(execFile);

/** The CDK app as `cdk synth -c …` runs it: the CLI hands context over in CDK_CONTEXT_JSON. */
const synthApp = async (context: Record<string, string>) => {
  const outdir = mkdtempSync(join(tmpdir(), 'secpass-sandbox-synth-'));
  await run('node', ['--import', 'tsx', 'infra/bin/secpass.ts'], {
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify({ ...CLIENT_ID_CONTEXT, ...context, 'aws:cdk:bundling-stacks': [] }),
      CDK_OUTDIR: outdir,
    },
    timeout: 120_000,
  });
  return outdir;
};

test('`-c env=prod -c sandboxAppId=…` fails the synth, naming the setting', async () => {
  await assert.rejects(
    synthApp({ env: 'prod', sandboxAppId: SANDBOX_APP_ID }),
    (error: { stderr?: string }) => {
      assert.match(String(error.stderr), /sandboxAppId is for -c env=sandbox only/);
      return true;
    },
  );
});

test('`-c env=sandbox -c sandboxAppId=…` reaches the stack: its authorizer takes keyless calls', async () => {
  const outdir = await synthApp({ env: 'sandbox', sandboxAppId: SANDBOX_APP_ID });
  const template = Template.fromJSON(
    JSON.parse(readFileSync(join(outdir, 'Secpass-sandbox.template.json'), 'utf8')) as Record<
      string,
      unknown
    >,
  );
  assert.equal(authorizerOf(template).IdentitySource, undefined);
  assert.ok(functionVariables(template).every((env) => env.SECPASS_SANDBOX_APP_ID === SANDBOX_APP_ID));
});
