import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { DEFAULT_RESERVED_CONCURRENCY } from '../../infra/concurrency.ts';
import {
  BLOCKING_COMMON_RULES,
  BLOCKING_KNOWN_BAD_INPUTS_RULES,
  BODY_SIZE_LABEL,
} from '../../infra/constructs/managed-rules.ts';
import { type EnvironmentName, UPSTREAM_URLS } from '../../infra/environments.ts';
import { FIREWALL_ANSWERS, PATH_PATTERNS, RATE_LIMITS } from '../../infra/firewall-limits.ts';
import { FUNCTION_NAMES, ROUTES } from '../../infra/routes.ts';
import { SecpassStack, type SecpassStackProps } from '../../infra/stack.ts';
import { DEFAULT_APP_THROTTLE } from '../../shared/adapters/admin/usage-plan.ts';
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

/** Every registration's client id, as a deployment names them (`-c myinfoClientId=…`). */
const CLIENT_ID_CONTEXT = {
  myinfoClientId: 'STG2-MYINFO',
  myinfoBizClientId: 'STG2-MYINFOBIZ',
  sgverifyClientId: 'STG2-SGVERIFY',
  singpassClientId: 'secpass-singpass',
  cpfhubClientId: 'secpass-cpfhub',
};
const NO_CLIENT_IDS = Object.fromEntries(Object.keys(CLIENT_ID_CONTEXT).map((name) => [name, undefined]));

/** Synthesizes without bundling (the stack test covers bundles): only the template matters here. */
const synth = (props: SecpassStackProps = {}) => {
  // The CLI turns asset metadata on unless told --no-asset-metadata; a bare App needs it said.
  const app = new App({
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new SecpassStack(app, 'Secpass', { ...CLIENT_ID_CONTEXT, ...props });
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
  type WafRule = {
    Name: string;
    Priority: number;
    Action?: unknown;
    OverrideAction?: unknown;
    Statement: Record<string, unknown>;
  };
  const webAcl = () => {
    const [acl] = resourcesOf('AWS::WAFv2::WebACL');
    assert.ok(acl);
    return acl.Properties as {
      Scope: string;
      DefaultAction: unknown;
      Rules: WafRule[];
      CustomResponseBodies: Record<string, { ContentType: string; Content: string }>;
    };
  };
  const rule = (name: string): WafRule => {
    const found = webAcl().Rules.find((r) => r.Name === name);
    assert.ok(found, `rule ${name}`);
    return found;
  };
  const regexOf = (statement: unknown): string =>
    (statement as { RegexMatchStatement: { RegexString: string } }).RegexMatchStatement.RegexString;
  const rateRule = (name: string) =>
    (rule(name).Statement as { RateBasedStatement: Record<string, unknown> }).RateBasedStatement;
  const overridesOf = (name: string) =>
    (
      rule(name).Statement as {
        ManagedRuleGroupStatement: { RuleActionOverrides: { Name: string; ActionToUse: unknown }[] };
      }
    ).ManagedRuleGroupStatement.RuleActionOverrides;
  const respondsWith = (status: number, answer: string) => ({
    Block: { CustomResponse: { ResponseCode: status, CustomResponseBodyKey: answer } },
  });
  const PER_WINDOW = 300;

  test('a regional web ACL: per-IP rate limits by route kind first, then AWS rule sets, then our body limit', () => {
    const acl = webAcl();
    assert.equal(acl.Scope, 'REGIONAL');
    assert.deepEqual(acl.DefaultAction, { Allow: {} });
    assert.deepEqual(
      [...acl.Rules].sort((a, b) => a.Priority - b.Priority).map((r) => r.Name),
      [
        'RatePrivateRoutesPerIp',
        'RatePublicKeysPerIp',
        'RateSgVerifyCallbackPerIp',
        'AWSManagedRulesCommonRuleSet',
        'AWSManagedRulesKnownBadInputsRuleSet',
        'BodyOver8KbOutsideCpfhub',
      ],
    );
    for (const name of ['RatePrivateRoutesPerIp', 'RatePublicKeysPerIp', 'RateSgVerifyCallbackPerIp']) {
      assert.equal(rateRule(name).AggregateKeyType, 'IP', name);
      assert.equal(rateRule(name).EvaluationWindowSec, PER_WINDOW, name);
    }
  });

  test('private routes: a per-IP limit above two apps at their usage plans’ rate, counting all but the public routes', () => {
    const limit = rateRule('RatePrivateRoutesPerIp');
    assert.equal(limit.Limit, RATE_LIMITS.privateRoutes);
    assert.ok(RATE_LIMITS.privateRoutes >= 2 * DEFAULT_APP_THROTTLE.rateLimit * PER_WINDOW);
    assert.ok(RATE_LIMITS.privateRoutes > 1_000 * 10, 'far above the old 1,000 that one app outgrew');
    const scope = limit.ScopeDownStatement as {
      NotStatement: { Statement: { OrStatement: { Statements: unknown[] } } };
    };
    assert.deepEqual(scope.NotStatement.Statement.OrStatement.Statements.map(regexOf), [
      PATH_PATTERNS.publicKeys,
      PATH_PATTERNS.sgverifyCallback,
    ]);
  });

  test('the public JWKS routes have a lower limit of their own; SG-Verify’s callback one above what its function serves', () => {
    assert.equal(rateRule('RatePublicKeysPerIp').Limit, RATE_LIMITS.publicKeys);
    assert.equal(regexOf(rateRule('RatePublicKeysPerIp').ScopeDownStatement), PATH_PATTERNS.publicKeys);
    assert.ok(RATE_LIMITS.publicKeys < RATE_LIMITS.privateRoutes);
    assert.equal(rateRule('RateSgVerifyCallbackPerIp').Limit, RATE_LIMITS.sgverifyCallback);
    assert.equal(
      regexOf(rateRule('RateSgVerifyCallbackPerIp').ScopeDownStatement),
      PATH_PATTERNS.sgverifyCallback,
    );
    // SG-Verify's few addresses carry every kiosk's callbacks: WAF must let through at least what
    // the function can serve at its ceiling (about one callback per second per concurrent run).
    assert.ok(RATE_LIMITS.sgverifyCallback >= DEFAULT_RESERVED_CONCURRENCY['sgverify-callback'] * PER_WINDOW);

    const publicKeys = new RegExp(PATH_PATTERNS.publicKeys);
    const callback = new RegExp(PATH_PATTERNS.sgverifyCallback);
    for (const { path, auth, function: fn } of ROUTES) {
      for (const sent of [`/v1${path}`, path]) {
        assert.equal(publicKeys.test(sent), auth === 'public' && fn === 'jwks', sent);
        assert.equal(callback.test(sent), fn === 'sgverify-callback', sent);
      }
    }
    assert.equal(publicKeys.test('/v1/singpass/jwks/extra'), false);
  });

  test('no User-Agent and bodies over 8 KB are counted by the common rule set; our rule refuses such bodies outside /cpfhub/ only', () => {
    const overrides = overridesOf('AWSManagedRulesCommonRuleSet');
    const actionOf = (name: string) => overrides.find((o) => o.Name === name)?.ActionToUse;
    assert.deepEqual(actionOf('NoUserAgent_HEADER'), { Count: {} });
    assert.deepEqual(actionOf('SizeRestrictions_BODY'), { Count: {} });
    const bodyRule = rule('BodyOver8KbOutsideCpfhub');
    assert.deepEqual(bodyRule.Action, respondsWith(413, 'body_too_large'));
    const [label, notCpfhub] = (bodyRule.Statement as { AndStatement: { Statements: unknown[] } })
      .AndStatement.Statements as [unknown, { NotStatement: { Statement: unknown } }];
    assert.deepEqual(label, { LabelMatchStatement: { Scope: 'LABEL', Key: BODY_SIZE_LABEL } });
    assert.equal(regexOf(notCpfhub.NotStatement.Statement), PATH_PATTERNS.cpfhubProxy);
    const cpfhub = new RegExp(PATH_PATTERNS.cpfhubProxy);
    for (const { path } of ROUTES) {
      assert.equal(
        cpfhub.test(`/v1${path.replace('{proxy+}', 'employer/contributions')}`),
        path.startsWith('/cpfhub/'),
        path,
      );
    }
  });

  test('every refusal answers in the API’s JSON error format: 429 rate_limited, 403 request_blocked, 413 body_too_large', () => {
    const acl = webAcl();
    for (const [key, { body }] of Object.entries(FIREWALL_ANSWERS)) {
      const response = acl.CustomResponseBodies[key];
      assert.ok(response, key);
      assert.equal(response.ContentType, 'APPLICATION_JSON');
      assert.deepEqual(JSON.parse(response.Content), body);
      assert.deepEqual(Object.keys(body), ['error', 'message']);
      assert.equal(body.error, key);
    }
    for (const name of ['RatePrivateRoutesPerIp', 'RatePublicKeysPerIp', 'RateSgVerifyCallbackPerIp']) {
      assert.deepEqual(rule(name).Action, respondsWith(429, 'rate_limited'), name);
    }
    for (const [group, blocking] of [
      ['AWSManagedRulesCommonRuleSet', BLOCKING_COMMON_RULES],
      ['AWSManagedRulesKnownBadInputsRuleSet', BLOCKING_KNOWN_BAD_INPUTS_RULES],
    ] as const) {
      assert.deepEqual(rule(group).OverrideAction, { None: {} }, `${group} still blocks`);
      const blocked = overridesOf(group).filter((o) => 'Block' in (o.ActionToUse as object));
      assert.deepEqual(
        blocked.map((o) => o.Name),
        [...blocking],
      );
      for (const override of blocked)
        assert.deepEqual(override.ActionToUse, respondsWith(403, 'request_blocked'));
    }
    // No block anywhere in the web ACL without our body.
    const blocks: unknown[] = [];
    const collect = (value: unknown) => {
      if (!value || typeof value !== 'object') return;
      if ('Block' in value) blocks.push(value.Block);
      Object.values(value).forEach(collect);
    };
    collect(acl.Rules);
    assert.ok(blocks.length > 0);
    for (const block of blocks) {
      const key = (block as { CustomResponse?: { CustomResponseBodyKey?: string } }).CustomResponse
        ?.CustomResponseBodyKey;
      assert.ok(key && key in FIREWALL_ANSWERS, JSON.stringify(block));
    }
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

describe('configuration from context', () => {
  test('client ids left out are named in a synth warning, and no function gets a variable for them', () => {
    const { stack: bare, template: bareTemplate } = synth(NO_CLIENT_IDS);
    Annotations.fromStack(bare).hasWarning(
      '*',
      Match.stringLikeRegexp('No client id given for myinfoClientId'),
    );
    for (const fn of Object.values(bareTemplate.findResources('AWS::Lambda::Function'))) {
      const variables = Object.keys(fn.Properties.Environment.Variables as Record<string, string>);
      assert.deepEqual(
        variables.filter((name) => name.endsWith('_CLIENT_ID')),
        [],
      );
    }
    const { stack: partial } = synth({ ...NO_CLIENT_IDS, myinfoClientId: 'STG2-MYINFO' });
    Annotations.fromStack(partial).hasWarning(
      '*',
      Match.stringLikeRegexp('^No client id given for myinfoBizClientId'),
    );
  });

  test('a client id with spaces (a mistyped command line) is refused', () => {
    assert.throws(() => synth({ cpfhubClientId: 'two words' }), /cpfhubClientId must be printable/);
  });

  test('a function’s reserved concurrency can be changed; 0 or a fraction is refused', () => {
    const { template: raised } = synth({ reservedConcurrency: { jwks: 25 } });
    const concurrency = Object.values(raised.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.ReservedConcurrentExecutions as number,
    );
    assert.ok(concurrency.includes(25));
    assert.equal(concurrency.includes(DEFAULT_RESERVED_CONCURRENCY.jwks), false);
    assert.throws(() => synth({ reservedConcurrency: { jwks: 0 } }), /at least 1/);
    assert.throws(() => synth({ reservedConcurrency: { authorizer: 1.5 } }), /whole number/);
  });
});
