import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DENIED_RESPONSE, FUNCTION_NAMES, NOT_FOUND_RESPONSE, ROUTES } from '../../infra/routes.ts';
import { SecpassStack } from '../../infra/stack.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
let template: Template;
let resources: Resources;
let synthError: unknown;

before(() => {
  const app = new App();
  const stack = new SecpassStack(app, 'Secpass', { myinfoBaseUrl: 'https://test.api.myinfo.gov.sg/com/v3' });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const ref = (value: unknown) => (value as { Ref?: string }).Ref;

/** The full path of an API Gateway resource, rebuilt from its PathPart/ParentId chain. */
const pathOf = (id: string | undefined): string => {
  const resource = id ? resources[id] : undefined;
  if (!resource) return '';
  return `${pathOf(ref(resource.Properties.ParentId))}/${resource.Properties.PathPart}`;
};

describe('CDK stack', () => {
  test('cdk-nag AwsSolutions finds nothing unacknowledged (synth with validation succeeds)', () => {
    assert.equal(synthError, undefined, String(synthError));
  });

  test('the API routes are exactly the shared route table', () => {
    const deployed = ofType('AWS::ApiGateway::Method')
      .filter(([, m]) => m.Properties.HttpMethod !== 'OPTIONS')
      .map(([, m]) => {
        const path = pathOf(ref(m.Properties.ResourceId)) || '/';
        const auth = m.Properties.AuthorizationType === 'CUSTOM' ? 'apiKey' : 'public';
        return `${m.Properties.HttpMethod} ${path} ${auth}`;
      })
      .sort();
    const declared = ROUTES.map((r) => `${r.method} ${r.path} ${r.auth}`).sort();
    assert.deepEqual(deployed, declared);
  });

  test('one Lambda per function: Node.js 24 on arm64, traced', () => {
    const functions = ofType('AWS::Lambda::Function');
    assert.equal(functions.length, FUNCTION_NAMES.length);
    for (const [, fn] of functions) {
      assert.equal(fn.Properties.Runtime, 'nodejs24.x');
      assert.deepEqual(fn.Properties.Architectures, ['arm64']);
      assert.deepEqual(fn.Properties.TracingConfig, { Mode: 'Active' });
    }
  });

  test('the table has TTL, point-in-time recovery and encryption, and is retained', () => {
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: { SSEEnabled: true },
        Replicas: [{ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }],
      },
    });
  });

  test('every function log group has a retention', () => {
    const groups = ofType('AWS::Logs::LogGroup');
    assert.ok(groups.length >= FUNCTION_NAMES.length);
    for (const [, group] of groups) assert.equal(typeof group.Properties.RetentionInDays, 'number');
  });

  test('refusals at the gateway answer the JSON error format: 403 for keys, 404 for unknown routes', () => {
    for (const [type, answer] of [
      ['UNAUTHORIZED', DENIED_RESPONSE],
      ['ACCESS_DENIED', DENIED_RESPONSE],
      ['MISSING_AUTHENTICATION_TOKEN', NOT_FOUND_RESPONSE],
    ] as const) {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: type,
        StatusCode: String(answer.statusCode),
        ResponseTemplates: { 'application/json': JSON.stringify(answer.body) },
      });
    }
  });

  test('the authorizer reads the Authorization header and is cached', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 300,
    });
  });

  test('each function may do only what it needs', () => {
    const expected: Record<string, string[]> = {
      authorizer: ['dynamodb:GetItem'],
      'authorise-init': [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ],
      'person-fetch': [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ],
      jwks: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
    };
    // Always present: writing its own log group and X-Ray segments.
    const baseline = new Set([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
    ]);
    for (const name of FUNCTION_NAMES) {
      const role = ofType('AWS::IAM::Role').find(([id]) => id.startsWith(name.replaceAll('-', '')));
      assert.ok(role, `role of ${name}`);
      const statements = ofType('AWS::IAM::Policy')
        .filter(([, p]) => (p.Properties.Roles as unknown[]).some((r) => ref(r) === role[0]))
        .flatMap(
          ([, p]) =>
            (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement,
        );
      const actions = [...new Set(statements.flatMap((s) => [s.Action].flat()))]
        .filter((a) => !baseline.has(a))
        .sort();
      assert.deepEqual(actions, expected[name], name);
      assert.deepEqual(role[1].Properties.ManagedPolicyArns, undefined, `${name} has no managed policy`);
    }
  });
});
