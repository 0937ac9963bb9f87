import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { ArtifactMetadataEntryType } from 'aws-cdk-lib/cloud-assembly-schema';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildSync } from 'esbuild';
import { ACCESS, SECRET_NAMES } from '../../infra/access.ts';
import { ESM_REQUIRE_BANNER } from '../../infra/bundling.ts';
import { CLIENT_IDS } from '../../infra/client-ids.ts';
import { DEFAULT_RESERVED_CONCURRENCY } from '../../infra/concurrency.ts';
import { ACCESS_LOG_FIELDS } from '../../infra/constructs/secpass-api.ts';
import { UPSTREAM_URLS } from '../../infra/environments.ts';
import {
  DENIED_RESPONSE,
  FUNCTION_NAMES,
  type FunctionName,
  GATEWAY_RESPONSES,
  NOT_FOUND_RESPONSE,
  ROUTES,
} from '../../infra/routes.ts';
import { SecpassStack } from '../../infra/stack.ts';

interface CfnResourceJson {
  Type: string;
  Properties: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  [key: string]: unknown;
}

/** Not the default, so the test sees the value travel from the stack's props into every function. */
const MYINFO_BASE_URL = 'https://sandbox.api.myinfo.gov.sg/com/v3';
/** Each registration's client id, as `-c myinfoClientId=…` etc. would give them. */
const CLIENT_ID_CONTEXT = {
  myinfoClientId: 'STG2-MYINFO-TEST',
  myinfoBizClientId: 'STG2-MYINFOBIZ-TEST',
  sgverifyClientId: 'STG2-SGVERIFY-TEST',
  singpassClientId: 'secpass-singpass-test',
  cpfhubClientId: 'secpass-cpfhub-test',
} as const;

/** The same feature flags `npx cdk synth` applies, so the test checks the template that deploys. */
const cdkJsonContext = (): Record<string, unknown> => {
  const cdkJson: unknown = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
  assert.ok(cdkJson && typeof cdkJson === 'object' && 'context' in cdkJson, 'cdk.json has a context');
  return cdkJson.context as Record<string, unknown>;
};

let app: App;
let stack: SecpassStack;
let template: Template;
let resources: Record<string, CfnResourceJson>;
let assemblyDirectory: string;
let synthError: unknown;

before(() => {
  assemblyDirectory = mkdtempSync(join(tmpdir(), 'secpass-cdk-test-'));
  app = new App({ context: cdkJsonContext(), outdir: assemblyDirectory });
  stack = new SecpassStack(app, 'Secpass', { myinfoBaseUrl: MYINFO_BASE_URL, ...CLIENT_ID_CONTEXT });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  // Read from disk rather than Template.fromStack, which would synthesize again and throw again
  // if cdk-nag failed: then only the cdk-nag tests fail, each saying why.
  const templateFile = join(assemblyDirectory, stack.templateFile);
  template = Template.fromJSON(JSON.parse(readFileSync(templateFile, 'utf8')));
  resources = template.toJSON().Resources as Record<string, CfnResourceJson>;
});

after(() => rmSync(assemblyDirectory, { recursive: true, force: true }));

const logicalId = (element: unknown): string => stack.getLogicalId(element as CfnElement);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const resource = (id: string): CfnResourceJson => {
  const found = resources[id];
  assert.ok(found, `resource ${id} exists`);
  return found;
};

/** The logical id a `Ref` or `Fn::GetAtt` points at, or undefined for anything else. */
const target = (value: unknown): string | undefined => {
  if (!value || typeof value !== 'object') return undefined;
  if ('Ref' in value && typeof value.Ref === 'string') return value.Ref;
  if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) return String(value['Fn::GetAtt'][0]);
  return undefined;
};

/** Every logical id referenced anywhere inside a value (e.g. an integration's Fn::Join URI). */
const referencedIds = (value: unknown): string[] => {
  if (!value || typeof value !== 'object') return [];
  const here = target(value);
  return [...(here ? [here] : []), ...Object.values(value).flatMap(referencedIds)];
};

/** The stack's resources a value refers to, each once (pseudo parameters left out). */
const referencedResources = (value: unknown): string[] => [
  ...new Set(referencedIds(value).filter((id) => id in resources)),
];

const functionId = (name: FunctionName): string => logicalId(stack.functions[name].node.defaultChild);
const functionProps = (name: FunctionName) => resource(functionId(name)).Properties;
const functionNameOf = (id: string): string =>
  FUNCTION_NAMES.find((name) => functionId(name) === id) ?? `not a Secpass function: ${id}`;

const restApiId = () => logicalId(stack.api.restApi.node.defaultChild);

/** The full path of an API Gateway resource id, rebuilt from its PathPart/ParentId chain. */
const pathOf = (resourceId: unknown): string => {
  if (target(resourceId) === restApiId()) return ''; // Fn::GetAtt [api, RootResourceId]
  const id = target(resourceId);
  assert.ok(id, `resolvable resource id ${JSON.stringify(resourceId)}`);
  const apiResource = resource(id);
  assert.equal(apiResource.Type, 'AWS::ApiGateway::Resource');
  return `${pathOf(apiResource.Properties.ParentId)}/${String(apiResource.Properties.PathPart)}`;
};

describe('CDK stack', () => {
  describe('API', () => {
    test('methods, paths, authorization and targets are exactly the shared route table', () => {
      const authorizerId = ofType('AWS::ApiGateway::Authorizer').map(([id]) => id);
      assert.equal(authorizerId.length, 1, 'one authorizer');
      const deployed = ofType('AWS::ApiGateway::Method')
        .map(([, { Properties: method }]) => {
          const integration = method.Integration as { Type: string; Uri: unknown };
          assert.equal(integration.Type, 'AWS_PROXY');
          const targets = referencedResources(integration.Uri).map(functionNameOf);
          const authorizer = target(method.AuthorizerId);
          if (method.AuthorizationType === 'CUSTOM') assert.equal(authorizer, authorizerId[0]);
          else assert.equal(authorizer, undefined, 'no authorizer on a public route');
          const path = pathOf(method.ResourceId) || '/';
          return `${String(method.HttpMethod)} ${path} ${String(method.AuthorizationType)} -> ${targets.join(',')}`;
        })
        .sort();
      const declared = ROUTES.map(
        (r) => `${r.method} ${r.path} ${r.auth === 'apiKey' ? 'CUSTOM' : 'NONE'} -> ${r.function}`,
      ).sort();
      assert.deepEqual(deployed, declared);
    });

    test('the authorizer is the authorizer function, reads the Authorization header, caches 5 minutes', () => {
      const [[, authorizer] = []] = ofType('AWS::ApiGateway::Authorizer');
      assert.ok(authorizer);
      assert.equal(authorizer.Properties.Type, 'REQUEST');
      assert.equal(authorizer.Properties.IdentitySource, 'method.request.header.Authorization');
      assert.equal(authorizer.Properties.AuthorizerResultTtlInSeconds, 300);
      assert.deepEqual(referencedResources(authorizer.Properties.AuthorizerUri).map(functionNameOf), [
        'authorizer',
      ]);
    });

    test("API Gateway's own answers use the JSON error body: 403 for keys, 404 for unknown routes, and the rest", () => {
      const answers = ofType('AWS::ApiGateway::GatewayResponse').map(([, { Properties: r }]) => ({
        type: r.ResponseType,
        status: r.StatusCode,
        contentType: (r.ResponseParameters as Record<string, string>)['gatewayresponse.header.Content-Type'],
        body: JSON.parse((r.ResponseTemplates as Record<string, string>)['application/json'] ?? 'null'),
      }));
      const json = "'application/json'";
      const expected = GATEWAY_RESPONSES.flatMap(({ types, answer }) =>
        types.map((type) => ({
          type,
          status: answer.statusCode === undefined ? undefined : String(answer.statusCode),
          contentType: json,
          body: answer.body,
        })),
      );
      const byType = (a: { type: unknown }, b: { type: unknown }) =>
        String(a.type).localeCompare(String(b.type));
      assert.deepEqual(answers.sort(byType), expected.sort(byType));
      assert.equal(answers.find((a) => a.type === 'UNAUTHORIZED')?.status, '403');
      assert.deepEqual(answers.find((a) => a.type === 'ACCESS_DENIED')?.body, DENIED_RESPONSE.body);
      assert.equal(answers.find((a) => a.type === 'MISSING_AUTHENTICATION_TOKEN')?.status, '404');
      assert.deepEqual(
        answers.find((a) => a.type === 'MISSING_AUTHENTICATION_TOKEN')?.body,
        NOT_FOUND_RESPONSE.body,
      );
    });

    test('one stage v1: traced, throttled, JSON access logs naming the app, error-only execution logs without payloads', () => {
      const stages = ofType('AWS::ApiGateway::Stage');
      assert.equal(stages.length, 1);
      const stage = stages[0]?.[1].Properties ?? {};
      assert.equal(stage.StageName, 'v1');
      assert.equal(stage.TracingEnabled, true);
      const [settings] = stage.MethodSettings as Record<string, unknown>[];
      assert.equal(settings?.LoggingLevel, 'ERROR');
      assert.equal(settings?.DataTraceEnabled, false);
      assert.equal(typeof settings?.ThrottlingRateLimit, 'number');
      assert.equal(typeof settings?.ThrottlingBurstLimit, 'number');
      const accessLog = JSON.parse((stage.AccessLogSetting as { Format: string }).Format);
      assert.equal(accessLog.requestId, '$context.requestId');
      // The authorizer names the app in its context; the access log carries it on every line.
      assert.equal(accessLog.appId, '$context.authorizer.appId');
      assert.equal(accessLog.wafResponseCode, '$context.wafResponseCode');
      assert.deepEqual(accessLog, ACCESS_LOG_FIELDS);
    });
  });

  describe('functions', () => {
    test('one Lambda per function: Node.js 24 on arm64, 512 MB, traced, timeouts under the gateway', () => {
      assert.equal(ofType('AWS::Lambda::Function').length, FUNCTION_NAMES.length);
      for (const name of FUNCTION_NAMES) {
        const fn = functionProps(name);
        assert.equal(fn.Runtime, 'nodejs24.x', name);
        assert.deepEqual(fn.Architectures, ['arm64'], name);
        assert.equal(fn.MemorySize, 512, name);
        assert.equal(fn.Handler, 'index.handler', name);
        assert.equal(fn.Timeout, name === 'authorizer' ? 10 : 29, name);
        assert.deepEqual(fn.TracingConfig, { Mode: 'Active' }, name);
      }
    });

    test('logs are JSON filtered by level: our INFO lines, and Lambda’s own only from WARN up', () => {
      for (const name of FUNCTION_NAMES) {
        const { LogGroup: _group, ...levels } = functionProps(name).LoggingConfig as Record<string, unknown>;
        assert.deepEqual(
          levels,
          { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
          name,
        );
      }
    });

    test('each function logs to its own log group, kept one month', () => {
      const groups = FUNCTION_NAMES.map((name) => {
        const groupId = target((functionProps(name).LoggingConfig as { LogGroup: unknown }).LogGroup);
        assert.ok(groupId, `${name} names its log group`);
        assert.equal(resource(groupId).Properties.RetentionInDays, 30, name);
        return groupId;
      });
      assert.equal(new Set(groups).size, FUNCTION_NAMES.length, 'no shared log group');
    });

    test('each function has its own reserved concurrency: a ceiling, the defaults unless changed', () => {
      for (const name of FUNCTION_NAMES) {
        assert.equal(
          functionProps(name).ReservedConcurrentExecutions,
          DEFAULT_RESERVED_CONCURRENCY[name],
          name,
        );
      }
      // Public routes get the lowest ceilings: a flood there holds little of the account's pool.
      assert.ok(DEFAULT_RESERVED_CONCURRENCY.jwks <= 10);
      assert.ok(DEFAULT_RESERVED_CONCURRENCY['sgverify-callback'] <= 20);
      const reserved = Object.values(DEFAULT_RESERVED_CONCURRENCY).reduce((sum, n) => sum + n, 0);
      assert.ok(reserved <= 400, `${reserved} reserved leaves most of a 1,000 account pool unreserved`);
    });

    test('every function gets the configuration shared/config/env.ts reads', () => {
      const api = restApiId();
      for (const name of FUNCTION_NAMES) {
        const env = (functionProps(name).Environment as { Variables: Record<string, unknown> }).Variables;
        assert.deepEqual(
          Object.keys(env).sort(),
          [
            'CPFHUB_API_BASE_URL',
            'CPFHUB_CLIENT_ID',
            'CPFHUB_OAUTH_BASE_URL',
            'CPFHUB_SECRET_ID',
            'DEFAULT_UPSTREAM_PROFILE',
            'LOG_LEVEL',
            'MYINFOBIZ_BASE_URL',
            'MYINFOBIZ_CLIENT_ID',
            'MYINFOBIZ_SECRET_ID',
            'MYINFO_BASE_URL',
            'MYINFO_CLIENT_ID',
            'MYINFO_SECRET_ID',
            'POWERTOOLS_SERVICE_NAME',
            'SECPASS_ISSUER',
            'SECPASS_PUBLIC_KEYS_SECRET_ID',
            'SECPASS_SIGNING_SECRET_ID',
            'SECPASS_TABLE',
            'SGVERIFY_API_BASE_URL',
            'SGVERIFY_CLIENT_ID',
            'SGVERIFY_QR_BASE_URL',
            'SGVERIFY_SECRET_ID',
            'SINGPASS_CLIENT_ID',
            'SINGPASS_DISCOVERY_URL',
            'SINGPASS_FAPI_ISSUER',
            'SINGPASS_SECRET_ID',
            'STATE_KEYS_SECRET_ID',
          ],
          name,
        );
        assert.equal(env.MYINFO_BASE_URL, MYINFO_BASE_URL);
        assert.equal(env.POWERTOOLS_SERVICE_NAME, 'secpass');
        assert.equal(target(env.SECPASS_TABLE), logicalId(stack.table.node.defaultChild));
        assert.equal(
          target(env.SECPASS_SIGNING_SECRET_ID),
          logicalId(stack.secrets.signing.node.defaultChild),
        );
        assert.equal(target(env.MYINFO_SECRET_ID), logicalId(stack.secrets.myinfo.node.defaultChild));
        assert.equal(target(env.SINGPASS_SECRET_ID), logicalId(stack.secrets.singpass.node.defaultChild));
        assert.equal(target(env.MYINFOBIZ_SECRET_ID), logicalId(stack.secrets.myinfobiz.node.defaultChild));
        assert.equal(target(env.SGVERIFY_SECRET_ID), logicalId(stack.secrets.sgverify.node.defaultChild));
        assert.equal(target(env.CPFHUB_SECRET_ID), logicalId(stack.secrets.cpfhub.node.defaultChild));
        assert.equal(
          target(env.SECPASS_PUBLIC_KEYS_SECRET_ID),
          logicalId(stack.secrets.publicKeys.node.defaultChild),
        );
        assert.equal(target(env.STATE_KEYS_SECRET_ID), logicalId(stack.secrets.stateKeys.node.defaultChild));
        // Client ids are configuration, taken from context, never read from a secret.
        for (const [name, variable] of Object.entries(CLIENT_IDS)) {
          assert.equal(env[variable], CLIENT_ID_CONTEXT[name as keyof typeof CLIENT_IDS], variable);
        }
        assert.equal(env.DEFAULT_UPSTREAM_PROFILE, 'legacy');
        for (const [name, { setting, url }] of Object.entries(UPSTREAM_URLS)) {
          if (name !== 'myinfoBaseUrl') assert.equal(env[setting], url('test'), setting);
        }
        // The issuer is this API's base URL: built from its id and ending in the stage.
        const issuer = JSON.stringify(env.SECPASS_ISSUER);
        assert.deepEqual(referencedIds(env.SECPASS_ISSUER), [api, 'AWS::Region', 'AWS::URLSuffix'], issuer);
        assert.match(issuer, /"\/v1"\]\]}$/, issuer);
      }
    });

    test('bundles are ESM chunks from local esbuild with a require shim, the AWS SDK and built-ins inside', () => {
      const assets = FUNCTION_NAMES.map((name) => (functionProps(name).Code as { S3Key: string }).S3Key);
      assert.equal(new Set(assets).size, FUNCTION_NAMES.length, 'each function has a bundle of its own');
      for (const name of FUNCTION_NAMES) {
        const props = functionProps(name);
        assert.equal(props.Handler, 'index.handler', name);
        const code = props.Code as { S3Key: string };
        const asset = join(assemblyDirectory, `asset.${code.S3Key.replace(/\.zip$/, '')}`);
        for (const file of readdirSync(asset)) {
          assert.match(file, /\.mjs$/, `${name}: ${file}`);
          const chunk = readFileSync(join(asset, file), 'utf8');
          assert.ok(chunk.startsWith(ESM_REQUIRE_BANNER), `${name}: ${file} starts with the require banner`);
        }
        // Self-contained: read as a platform-neutral build, every import resolves inside the asset,
        // so the SDK is bundled and Node's built-ins come through process.getBuiltinModule.
        const { metafile } = buildSync({
          entryPoints: [join(asset, 'index.mjs')],
          bundle: true,
          write: false,
          metafile: true,
          platform: 'neutral',
          logLevel: 'silent',
        });
        for (const input of Object.keys(metafile.inputs)) {
          assert.ok(resolve(input).startsWith(asset), `${name} imports ${input}`);
        }
      }
    });
  });

  describe('data', () => {
    test('the table: pk/sk strings, on demand, TTL, point-in-time recovery, our key, protected, retained', () => {
      const tableId = logicalId(stack.table.node.defaultChild);
      const table = resource(tableId);
      assert.equal(table.Type, 'AWS::DynamoDB::Table');
      assert.equal(table.DeletionPolicy, 'Retain');
      assert.equal(table.UpdateReplacePolicy, 'Retain');
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: Match.arrayWith([
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ]),
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(stack.key.key.node.defaultChild), 'Arn'] },
        },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    });

    test('eight secrets hold only a {} placeholder, are retained, and their names and ARNs are outputs', () => {
      const secrets = ofType('AWS::SecretsManager::Secret');
      assert.equal(secrets.length, SECRET_NAMES.length);
      assert.equal(secrets.length, 8);
      for (const [, secret] of secrets) {
        assert.equal(secret.Properties.SecretString, '{}');
        assert.equal(secret.DeletionPolicy, 'Retain');
      }
      const outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>);
      for (const output of [
        'ApiUrl',
        'SigningSecretName',
        'SigningSecretArn',
        'PublicKeysSecretName',
        'PublicKeysSecretArn',
        'StateKeysSecretName',
        'StateKeysSecretArn',
        'MyinfoSecretName',
        'MyinfoSecretArn',
        'MyinfoBizSecretName',
        'MyinfoBizSecretArn',
        'SgVerifySecretName',
        'SgVerifySecretArn',
        'SingpassSecretName',
        'SingpassSecretArn',
        'CpfhubSecretName',
        'CpfhubSecretArn',
      ]) {
        assert.ok(outputs.includes(output), `output ${output}`);
      }
    });
  });

  describe('least privilege', () => {
    // The table is encrypted under the deployment's key: readers may decrypt, writers encrypt too.
    const keyRead = ['kms:Decrypt on data key', 'kms:DescribeKey on data key'];
    const keyWrite = [...keyRead, 'kms:Encrypt on data key', 'kms:GenerateDataKey on data key'];
    const expectedGrants: Record<FunctionName, string[]> = {
      authorizer: ['dynamodb:GetItem on table', ...keyRead],
      // Client ids are configuration: only the keys it signs with (SG-Verify QR, Singpass PAR).
      'authorise-init': [
        ...keyWrite,
        'dynamodb:GetItem on table',
        'dynamodb:PutItem on table',
        'secretsmanager:DescribeSecret on sgverify secret',
        'secretsmanager:DescribeSecret on singpass secret',
        'secretsmanager:DescribeSecret on state keys secret',
        'secretsmanager:GetSecretValue on sgverify secret',
        'secretsmanager:GetSecretValue on singpass secret',
        'secretsmanager:GetSecretValue on state keys secret',
      ],
      'token-exchange': [
        ...keyWrite,
        'dynamodb:GetItem on table',
        'dynamodb:PutItem on table',
        'dynamodb:UpdateItem on table',
        'secretsmanager:DescribeSecret on cpfhub secret',
        'secretsmanager:GetSecretValue on cpfhub secret',
        'secretsmanager:DescribeSecret on signing secret',
        'secretsmanager:DescribeSecret on singpass secret',
        'secretsmanager:GetSecretValue on signing secret',
        'secretsmanager:GetSecretValue on singpass secret',
        'secretsmanager:DescribeSecret on state keys secret',
        'secretsmanager:GetSecretValue on state keys secret',
      ],
      'person-fetch': [
        ...keyWrite,
        'dynamodb:DeleteItem on table',
        'dynamodb:GetItem on table',
        'dynamodb:Query on table',
        'dynamodb:UpdateItem on table',
        'secretsmanager:DescribeSecret on myinfo secret',
        'secretsmanager:DescribeSecret on myinfobiz secret',
        'secretsmanager:DescribeSecret on signing secret',
        'secretsmanager:DescribeSecret on singpass secret',
        'secretsmanager:GetSecretValue on myinfo secret',
        'secretsmanager:GetSecretValue on myinfobiz secret',
        'secretsmanager:GetSecretValue on signing secret',
        'secretsmanager:GetSecretValue on singpass secret',
        'secretsmanager:DescribeSecret on state keys secret',
        'secretsmanager:GetSecretValue on state keys secret',
      ],
      'sgverify-callback': [
        ...keyWrite,
        'dynamodb:GetItem on table',
        'dynamodb:PutItem on table',
        'dynamodb:UpdateItem on table',
        'secretsmanager:DescribeSecret on sgverify secret',
        'secretsmanager:DescribeSecret on signing secret',
        'secretsmanager:GetSecretValue on sgverify secret',
        'secretsmanager:GetSecretValue on signing secret',
      ],
      'cpfhub-proxy': [
        ...keyWrite,
        'dynamodb:DeleteItem on table',
        'dynamodb:GetItem on table',
        'dynamodb:UpdateItem on table',
        'secretsmanager:DescribeSecret on cpfhub secret',
        'secretsmanager:GetSecretValue on cpfhub secret',
      ],
      // Public halves only: no grant on any secret holding a private key.
      jwks: [
        'secretsmanager:DescribeSecret on public keys secret',
        'secretsmanager:GetSecretValue on public keys secret',
      ],
    };
    // Every function also writes its own log group and X-Ray segments (which take no resource).
    const baseline = [
      'logs:CreateLogStream on own log group',
      'logs:PutLogEvents on own log group',
      'xray:PutTelemetryRecords on *',
      'xray:PutTraceSegments on *',
    ];

    for (const name of FUNCTION_NAMES) {
      test(`${name} may do exactly what it needs, on exactly its resources`, () => {
        const fn = functionProps(name);
        const roleId = target(fn.Role);
        assert.ok(roleId);
        const role = resource(roleId).Properties;
        assert.equal(role.ManagedPolicyArns, undefined, 'no managed policy');
        assert.equal(role.Policies, undefined, 'no inline policy');
        const labels: Record<string, string> = {
          [logicalId(stack.table.node.defaultChild)]: 'table',
          [logicalId(stack.key.key.node.defaultChild)]: 'data key',
          [logicalId(stack.secrets.signing.node.defaultChild)]: 'signing secret',
          [logicalId(stack.secrets.publicKeys.node.defaultChild)]: 'public keys secret',
          [logicalId(stack.secrets.stateKeys.node.defaultChild)]: 'state keys secret',
          [logicalId(stack.secrets.myinfo.node.defaultChild)]: 'myinfo secret',
          [logicalId(stack.secrets.singpass.node.defaultChild)]: 'singpass secret',
          [logicalId(stack.secrets.myinfobiz.node.defaultChild)]: 'myinfobiz secret',
          [logicalId(stack.secrets.sgverify.node.defaultChild)]: 'sgverify secret',
          [logicalId(stack.secrets.cpfhub.node.defaultChild)]: 'cpfhub secret',
          [String(target((fn.LoggingConfig as { LogGroup: unknown }).LogGroup))]: 'own log group',
        };
        const label = (r: unknown) => (r === '*' ? '*' : (labels[target(r) ?? ''] ?? JSON.stringify(r)));
        const statements = ofType('AWS::IAM::Policy')
          .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => target(r) === roleId))
          .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
        const granted = statements.flatMap((s) => {
          assert.deepEqual(Object.keys(s).sort(), ['Action', 'Effect', 'Resource'], 'no conditions or Not*');
          assert.equal(s.Effect, 'Allow');
          return [s.Action]
            .flat()
            .flatMap((action) => [s.Resource].flat().map((r) => `${action} on ${label(r)}`));
        });
        assert.deepEqual([...new Set(granted)].sort(), [...expectedGrants[name], ...baseline].sort());
      });
    }

    test('the grants asserted above are the shared access table the local endpoints enforce too', () => {
      const secretLabel = (name: string) =>
        ({ publicKeys: 'public keys secret', stateKeys: 'state keys secret' })[name] ?? `${name} secret`;
      for (const name of FUNCTION_NAMES) {
        const fromTable = [
          ...ACCESS[name].table.map((action) => `${action} on table`),
          ...ACCESS[name].secrets.flatMap((secret) => [
            `secretsmanager:DescribeSecret on ${secretLabel(secret)}`,
            `secretsmanager:GetSecretValue on ${secretLabel(secret)}`,
          ]),
        ];
        const asserted = expectedGrants[name].filter((grant) => !grant.startsWith('kms:'));
        assert.deepEqual(fromTable.sort(), asserted.sort(), name);
      }
    });

    test('no function but token-exchange, person-fetch and sgverify-callback may read a private signing key', () => {
      const readers = FUNCTION_NAMES.filter((name) => ACCESS[name].secrets.includes('signing'));
      assert.deepEqual(readers, ['token-exchange', 'person-fetch', 'sgverify-callback']);
      const sealers = FUNCTION_NAMES.filter((name) => ACCESS[name].secrets.includes('cpfhub'));
      assert.deepEqual(
        sealers,
        ['token-exchange', 'cpfhub-proxy'],
        'CPFHub sealing keys: who seals or unseals',
      );
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    test('synth with cdk-nag as a validation plugin succeeds (as `npx cdk synth` runs it)', () => {
      assert.equal(synthError, undefined, String(synthError));
    });

    test('reports no unacknowledged error or warning', () => {
      // cdk-nag v3 reports through CDK's validation framework, not Annotations: ask it directly.
      const report = new AwsSolutionsChecks().validateScope(app);
      const findings = report.violations.map(
        (v) =>
          `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
      assert.deepEqual(findings, []);
      assert.equal(report.success, true);
    });

    test('CDK itself raised no warnings or errors on the stack', () => {
      // Read from the synthesized tree, not Annotations.fromStack, which would synthesize again.
      const raised = [ArtifactMetadataEntryType.WARN, ArtifactMetadataEntryType.ERROR];
      const messages = stack.node
        .findAll()
        .flatMap((construct) =>
          construct.node.metadata
            .filter((entry) => raised.includes(entry.type as ArtifactMetadataEntryType))
            .map((entry) => `${construct.node.path}: ${String(entry.data)}`),
        );
      assert.deepEqual(messages, []);
    });

    test('the check is live: an unacknowledged finding is reported', () => {
      const bare = new Stack(new App(), 'Bare');
      new secretsmanager.Secret(bare, 'Unrotated');
      const rules = new AwsSolutionsChecks().validateScope(bare).violations.map((v) => v.ruleName);
      assert.ok(rules.includes('AwsSolutions-SMG4'), rules.join(', '));
    });

    test('every acknowledgement is a known one, with a one-line reason', () => {
      const acknowledged = stack.node
        .findAll()
        .flatMap((construct) =>
          construct.node.metadata
            .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
            .flatMap((entry) => Object.entries(entry.data as Record<string, string>)),
        );
      for (const [, reason] of acknowledged) assert.match(reason, /^[^\n]{20,160}$/, reason);
      const ids = [...new Set(acknowledged.map(([id]) => id.replace(/^annotation::/i, '')))].sort();
      assert.deepEqual(ids, [
        'AwsSolutions-APIG2',
        'AwsSolutions-APIG4',
        'AwsSolutions-COG4',
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'AwsSolutions-IAM5[Resource::*]',
        'AwsSolutions-SMG4',
      ]);
    });
  });
});
