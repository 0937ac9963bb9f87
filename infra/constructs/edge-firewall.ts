import { Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { FIREWALL_ANSWERS, type FirewallAnswer, PATH_PATTERNS, RATE_LIMITS } from '../firewall-limits.ts';
import {
  BLOCKING_COMMON_RULES,
  BLOCKING_KNOWN_BAD_INPUTS_RULES,
  BODY_SIZE_LABEL,
  COMMON_RULE_SET,
  COUNTED_COMMON_RULES,
  KNOWN_BAD_INPUTS_RULE_SET,
} from './managed-rules.ts';

type Rule = wafv2.CfnWebACL.RuleProperty;
type Statement = wafv2.CfnWebACL.StatementProperty;

const visibility = (metricName: string) => ({
  sampledRequestsEnabled: true,
  cloudWatchMetricsEnabled: true,
  metricName,
});

/** Block, answering in the API's JSON error format. */
const refuse = (answer: FirewallAnswer): wafv2.CfnWebACL.RuleActionProperty => ({
  block: {
    customResponse: { responseCode: FIREWALL_ANSWERS[answer].statusCode, customResponseBodyKey: answer },
  },
});

/** The request path matches (decoded first, so an encoded path is judged as API Gateway routes it). */
const pathMatches = (regexString: string): Statement => ({
  regexMatchStatement: {
    regexString,
    fieldToMatch: { uriPath: {} },
    textTransformations: [{ priority: 0, type: 'URL_DECODE' }],
  },
});

const perIpRateRule = (name: string, priority: number, limit: number, scope: Statement): Rule => ({
  name,
  priority,
  action: refuse('rate_limited'),
  statement: {
    rateBasedStatement: {
      limit,
      aggregateKeyType: 'IP',
      evaluationWindowSec: 300,
      scopeDownStatement: scope,
    },
  },
  visibilityConfig: visibility(name),
});

const managedRuleGroup = (
  name: string,
  priority: number,
  blocking: readonly string[],
  counted: readonly string[] = [],
): Rule => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: {
    managedRuleGroupStatement: {
      vendorName: 'AWS',
      name,
      ruleActionOverrides: [
        ...blocking.map((rule) => ({ name: rule, actionToUse: refuse('request_blocked') })),
        ...counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
      ],
    },
  },
  visibilityConfig: visibility(name),
});

/**
 * A WAF web ACL on the API stage, sized to the traffic each route gets (see firewall-limits.ts):
 * per-address rate limits per route kind first, so a flood is turned away before anything else
 * is spent on it; then AWS's common and known-bad-input rules, minus what our legitimate callers
 * do (no User-Agent; CPFHub bodies above 8 KB). Every refusal answers in the API's JSON format.
 */
export class EdgeFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: { stage: apigateway.Stage }) {
    super(scope, id);
    const publicKeys = pathMatches(PATH_PATTERNS.publicKeys);
    const sgverifyCallback = pathMatches(PATH_PATTERNS.sgverifyCallback);
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('secpass'),
      customResponseBodies: Object.fromEntries(
        Object.entries(FIREWALL_ANSWERS).map(([key, { body }]) => [
          key,
          { contentType: 'APPLICATION_JSON', content: JSON.stringify(body) },
        ]),
      ),
      rules: [
        perIpRateRule('RatePrivateRoutesPerIp', 0, RATE_LIMITS.privateRoutes, {
          notStatement: { statement: { orStatement: { statements: [publicKeys, sgverifyCallback] } } },
        }),
        perIpRateRule('RatePublicKeysPerIp', 1, RATE_LIMITS.publicKeys, publicKeys),
        perIpRateRule('RateSgVerifyCallbackPerIp', 2, RATE_LIMITS.sgverifyCallback, sgverifyCallback),
        managedRuleGroup(COMMON_RULE_SET, 3, BLOCKING_COMMON_RULES, Object.values(COUNTED_COMMON_RULES)),
        managedRuleGroup(KNOWN_BAD_INPUTS_RULE_SET, 4, BLOCKING_KNOWN_BAD_INPUTS_RULES),
        {
          // The common rule set's 8 KB body limit, counted there, enforced here outside the CPFHub
          // proxy, which takes up to 256 KB and refuses more itself.
          name: 'BodyOver8KbOutsideCpfhub',
          priority: 5,
          action: refuse('body_too_large'),
          statement: {
            andStatement: {
              statements: [
                { labelMatchStatement: { scope: 'LABEL', key: BODY_SIZE_LABEL } },
                { notStatement: { statement: pathMatches(PATH_PATTERNS.cpfhubProxy) } },
              ],
            },
          },
          visibilityConfig: visibility('BodyOver8KbOutsideCpfhub'),
        },
      ],
    });
    const { partition, region } = Stack.of(this);
    new wafv2.CfnWebACLAssociation(this, 'Association', {
      webAclArn: this.webAcl.attrArn,
      resourceArn: `arn:${partition}:apigateway:${region}::/restapis/${props.stage.restApi.restApiId}/stages/${props.stage.stageName}`,
    });
  }
}
