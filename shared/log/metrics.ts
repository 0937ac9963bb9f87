import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { UpstreamName } from '../core/errors.ts';

/** Shared with the stack's alarms and dashboard, so both name the same metric. */
export const METRICS_NAMESPACE = 'Secpass';
export const UPSTREAM_FAILURE_METRIC = 'UpstreamFailure';

// Made by the first failure, not at cold start: most containers never count one.
let metrics: Metrics | undefined;

/**
 * Counts one upstream failure (CloudWatch embedded metric format, written with the logs). Flushed
 * at once: failures are rare, and a request that succeeds then has nothing to publish.
 */
export const countUpstreamFailure = (provider: UpstreamName): void => {
  metrics ??= new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'secpass',
  });
  metrics.addMetric(UPSTREAM_FAILURE_METRIC, MetricUnit.Count, 1);
  metrics.addMetadata('provider', provider);
  metrics.publishStoredMetrics();
};
