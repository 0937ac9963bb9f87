import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, UPSTREAM_FAILURE_METRIC } from '../../shared/log/metrics.ts';
import type { FunctionName } from '../routes.ts';

const FIVE_MINUTES = Duration.minutes(5);

export interface OperationsProps {
  api: apigateway.RestApi;
  functions: Record<FunctionName, lambda.IFunction>;
  key: kms.IKey;
  alarmEmail?: string;
}

/**
 * What an on-call engineer needs: alarms on what users feel (5xx rate, p99 latency, throttling,
 * a failing authorizer, failing upstreams) sent to one encrypted topic, and one dashboard.
 */
export class Operations extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', { masterKey: props.key, enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    const { api } = props;
    const functions = Object.values(props.functions);
    const requests = api.metricCount({ period: FIVE_MINUTES, statistic: 'Sum' });
    const serverErrorRate = new cloudwatch.MathExpression({
      label: '5xx %',
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: { errors: api.metricServerError({ period: FIVE_MINUTES, statistic: 'Sum' }), requests },
      period: FIVE_MINUTES,
    });
    const latencyP99 = api.metricLatency({ period: FIVE_MINUTES, statistic: 'p99' });
    const throttles = sumOf(
      'Lambda throttles',
      functions.map((fn) => fn.metricThrottles({ period: FIVE_MINUTES })),
    );
    const authorizerErrors = props.functions.authorizer.metricErrors({ period: FIVE_MINUTES });
    const upstreamFailures = new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: UPSTREAM_FAILURE_METRIC,
      dimensionsMap: { service: 'secpass' },
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });

    this.alarm('ServerErrorRate', serverErrorRate, 5, 'More than 5% of requests answered 5xx');
    this.alarm('LatencyP99', latencyP99, 5_000, 'p99 latency above 5 s');
    this.alarm('Throttles', throttles, 0, 'A function was throttled (concurrency limit reached)');
    this.alarm(
      'AuthorizerErrors',
      authorizerErrors,
      0,
      'The API-key authorizer failed: every private call is refused',
    );
    this.alarm('UpstreamFailures', upstreamFailures, 10, 'Upstreams (Singpass, Myinfo, CPFHub…) failing');

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Requests', left: [requests] }),
          new cloudwatch.GraphWidget({ title: '5xx rate (%)', left: [serverErrorRate] }),
          new cloudwatch.GraphWidget({
            title: 'Latency',
            left: [api.metricLatency({ period: FIVE_MINUTES, statistic: 'p50' }), latencyP99],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function errors',
            left: functions.map((fn) => fn.metricErrors({ period: FIVE_MINUTES })),
          }),
          new cloudwatch.GraphWidget({ title: 'Throttles', left: [throttles] }),
          new cloudwatch.GraphWidget({ title: 'Upstream failures', left: [upstreamFailures] }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, threshold: number, description: string): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      threshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

const sumOf = (label: string, metrics: cloudwatch.IMetric[]): cloudwatch.MathExpression =>
  new cloudwatch.MathExpression({
    label,
    expression: metrics.map((_, index) => `m${index}`).join(' + '),
    usingMetrics: Object.fromEntries(metrics.map((metric, index) => [`m${index}`, metric])),
    period: FIVE_MINUTES,
  });
