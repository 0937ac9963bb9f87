import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { REQUESTS_PER_IP_PER_5_MIN } from '../../infra/constructs/edge-firewall.ts';
import { type EnvironmentName, UPSTREAM_URLS } from '../../infra/environments.ts';
import { FUNCTION_NAMES, ROUTES } from '../../infra/routes.ts';
import { SecpassStack, type SecpassStackProps } from '../../infra/stack.ts';
import { METRICS_NAMESPACE, UPSTREAM_FAILURE_METRIC } from '../../shared/log/metrics.ts';

/**
 * What the production-hardening issue adds to the stack: the edge (WAF, per-app usage plans),
 * the deployment's own KMS key on every store, alarms and a dashboard, environments, an optional
 * custom domain, and the asset metadata `sam local invoke` reads.
 */
const cdkJsonContext = (): Record<string, unknown> =>
  (
    JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
      context: Record<string, unknown>;
    }
  ).context;

/** Synthesizes without bundling (the stack test covers bundles): only the template matters here. */
const synth = (props: SecpassStackProps = {}) => {
  // The CLI turns asset metadata on unless told --no-asset-metadata; a bare App needs it said.
  const app = new App({
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new SecpassStack(app, 'Secpass', props);
  return { stack, template: Template.fromStack(stack) };
};

const { stack, template } = synth();
const idOf = (element: unknown) => stack.getLogicalId(element as CfnElement);
const keyArn = { 'Fn::GetAtt': [idOf(stack.key.key.node.defaultChild), 'Arn'] };
const resourcesOf = (type: string) => Object.values(template.findResources(type));

describe('data under the deployment’s own key', () => {
  test('one customer-managed key, rotated, never deleted with the stack', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('it encrypts the table, every secret, every log group and the alarm topic', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn },
    });
    for (const secret of resourcesOf('AWS::SecretsManager::Secret')) {
      assert.deepEqual(secret.Properties.KmsKeyId, keyArn);
    }
    const logGroups = resourcesOf('AWS::Logs::LogGroup');
    assert.equal(logGroups.length, FUNCTION_NAMES.length + 1, 'one per function and the access logs');
    for (const group of logGroups) assert.deepEqual(group.Properties.KmsKeyId, keyArn);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: keyArn });
  });

  test('CloudWatch Logs may use the key only for this account’s log groups in this region', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
            Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });
});

describe('edge', () => {
  test('a regional WAF web ACL with AWS common and known-bad-input rules and a per-IP rate limit', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'AWSManagedRulesCommonRuleSet',
          Statement: {
            ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' },
          },
        }),
        Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
        Match.objectLike({
          Name: 'RatePerClientIp',
          Action: { Block: {} },
          Statement: { RateBasedStatement: { Limit: REQUESTS_PER_IP_PER_5_MIN, AggregateKeyType: 'IP' } },
        }),
      ],
    });
  });

  test('the web ACL guards this API’s v1 stage', () => {
    const [association] = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'));
    assert.ok(association);
    const arn = JSON.stringify(association.Properties.ResourceArn);
    const refersTo = (element: unknown) => arn.includes(JSON.stringify({ Ref: idOf(element) }));
    assert.ok(refersTo(stack.api.restApi.node.defaultChild), arn);
    assert.ok(refersTo(stack.api.restApi.deploymentStage.node.defaultChild), arn);
  });

  test('usage plans meter apps: the key comes from the authorizer and every private method needs one', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
    const methods = resourcesOf('AWS::ApiGateway::Method').filter(
      (m) => m.Properties.HttpMethod !== 'OPTIONS',
    );
    const required = methods.filter((m) => m.Properties.ApiKeyRequired === true).length;
    assert.equal(required, ROUTES.filter((route) => route.auth === 'apiKey').length);
    for (const method of methods) {
      assert.equal(
        method.Properties.ApiKeyRequired === true,
        method.Properties.AuthorizationType === 'CUSTOM',
      );
    }
  });

  test('the REST API id is an output, for `npm run apps -- create` to attach usage plans', () => {
    template.hasOutput('RestApiId', { Value: { Ref: idOf(stack.api.restApi.node.defaultChild) } });
  });
});

describe('operations', () => {
  const alarmNames = ['ServerErrorRate', 'LatencyP99', 'Throttles', 'AuthorizerErrors', 'UpstreamFailures'];

  test('alarms on 5xx rate, p99 latency, throttles, authorizer errors and upstream failures, to the topic', () => {
    const topic = { Ref: idOf(stack.operations.topic.node.defaultChild) };
    const alarms = template.findResources('AWS::CloudWatch::Alarm');
    assert.equal(Object.keys(alarms).length, alarmNames.length);
    for (const name of alarmNames) {
      const [, alarm] = Object.entries(alarms).find(([id]) => id.includes(name)) ?? [];
      assert.ok(alarm, name);
      assert.deepEqual(alarm.Properties.AlarmActions, [topic]);
      assert.deepEqual(alarm.Properties.OKActions, [topic]);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: UPSTREAM_FAILURE_METRIC,
      Namespace: METRICS_NAMESPACE,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ExtendedStatistic: 'p99',
      MetricName: 'Latency',
    });
  });

  test('one dashboard, and the alarm topic takes TLS only', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('an alarm email, when given, is subscribed to the topic', () => {
    synth({ alarmEmail: 'oncall@example.com' }).template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });
});

describe('environments', () => {
  const functionEnv = (environment: EnvironmentName) => {
    const { template: synthesized } = synth({ environment });
    const [fn] = Object.values(synthesized.findResources('AWS::Lambda::Function'));
    return { variables: fn?.Properties.Environment.Variables as Record<string, string>, synthesized };
  };

  for (const [environment, myinfoHost, singpassHost, retentionDays, protectedTable] of [
    ['sandbox', 'sandbox.api.myinfo.gov.sg', 'stg-id.singpass.gov.sg', 7, false],
    ['test', 'test.api.myinfo.gov.sg', 'stg-id.singpass.gov.sg', 30, true],
    ['prod', 'api.myinfo.gov.sg', 'id.singpass.gov.sg', 365, true],
  ] as const) {
    test(`${environment}: upstream domains, log retention ${retentionDays} days, deletion protection ${protectedTable}`, () => {
      const { variables, synthesized } = functionEnv(environment);
      assert.equal(variables.MYINFO_BASE_URL, `https://${myinfoHost}/com/v3`);
      assert.equal(variables.SINGPASS_FAPI_ISSUER, `https://${singpassHost}/fapi`);
      for (const { setting, url } of Object.values(UPSTREAM_URLS))
        assert.equal(variables[setting], url(environment));
      for (const group of Object.values(synthesized.findResources('AWS::Logs::LogGroup'))) {
        assert.equal(group.Properties.RetentionInDays, retentionDays);
      }
      synthesized.hasResource('AWS::DynamoDB::Table', {
        Properties: { DeletionProtectionEnabled: protectedTable },
        DeletionPolicy: 'Retain',
      });
      synthesized.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: `secpass-${environment}` });
    });
  }

  test('no account or region is written into the template', () => {
    const json = JSON.stringify(template.toJSON());
    assert.doesNotMatch(json, /:\d{12}:/, 'no account id in an ARN');
    assert.doesNotMatch(
      json,
      /(ap|us|eu|ca|sa|me|af)-(south|north|east|west|central|southeast|northeast)-\d/,
    );
  });
});

describe('custom domain and sam local invoke', () => {
  test('a custom domain, when given, maps to the v1 stage with TLS 1.2', () => {
    const certificateArn = 'arn:aws:acm:ap-southeast-1:111122223333:certificate/abc';
    const { template: withDomain } = synth({ customDomain: { name: 'secpass.example.sg', certificateArn } });
    withDomain.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'secpass.example.sg',
      RegionalCertificateArn: certificateArn,
      SecurityPolicy: 'TLS_1_2',
    });
    withDomain.hasResourceProperties('AWS::ApiGateway::BasePathMapping', { Stage: Match.anyValue() });
    template.resourceCountIs('AWS::ApiGateway::DomainName', 0);
  });

  test('every function keeps the asset metadata SAM reads to find its code', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    assert.equal(functions.length, FUNCTION_NAMES.length);
    for (const fn of functions) {
      assert.equal(fn.Metadata?.['aws:asset:property'], 'Code');
      assert.ok(fn.Metadata?.['aws:asset:path'], 'the asset path (asset.<hash> once bundled)');
    }
  });
});
