import { Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

/** Requests per client IP per five minutes before the rate rule blocks it (WAF's window). */
export const REQUESTS_PER_IP_PER_5_MIN = 1_000;

const managedRule = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
  name,
  priority,
  statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
  overrideAction: { none: {} },
  visibilityConfig: { sampledRequestsEnabled: true, cloudWatchMetricsEnabled: true, metricName: name },
});

/**
 * A WAF web ACL on the API stage: AWS's common and known-bad-input rules, then a per-IP rate
 * limit, so floods and probes are turned away before they cost a Lambda invocation.
 */
export class EdgeFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: { stage: apigateway.Stage }) {
    super(scope, id);
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: {
        sampledRequestsEnabled: true,
        cloudWatchMetricsEnabled: true,
        metricName: 'secpass',
      },
      rules: [
        managedRule('AWSManagedRulesCommonRuleSet', 0),
        managedRule('AWSManagedRulesKnownBadInputsRuleSet', 1),
        {
          name: 'RatePerClientIp',
          priority: 2,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: REQUESTS_PER_IP_PER_5_MIN, aggregateKeyType: 'IP' } },
          visibilityConfig: {
            sampledRequestsEnabled: true,
            cloudWatchMetricsEnabled: true,
            metricName: 'RatePerClientIp',
          },
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
