import { useLocalEnvironment } from '../local/local-environment.ts';
import { exitWithUsageIfAsked } from '../scripts/help.ts';
import { measureBundles } from './bundles.ts';
import { measureFlows } from './flows.ts';
import { startStackProcess } from './stack-process.ts';
import { warmDynamoDbLocal } from './warm-jvm.ts';

/**
 * `npm run bench`: figures, not pass/fail. The broker runs as `npm start` runs it, in its own
 * process and logging at its production level; this process is the app and the meter.
 */
exitWithUsageIfAsked(`usage: npm run bench
Prints figures, asserts nothing: each function bundle's size and fresh-process import time, then
the token path through the local gateway against the upstream alone and the crypto floor.
environment: BENCH_FLOWS  flows to time after the warm-up (default 200)`);

const FLOWS = Number(process.env.BENCH_FLOWS ?? 200);
const WARMUP = 50;
const JVM_WARMUP_REQUESTS = 3_000;
const BUNDLE_LIMIT_KB = 400;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(2)} ms`;

console.log('Bundles (minified, as deployed; load = import in a fresh process, median of 10)');
const bundles = await measureBundles();
for (const b of bundles) {
  console.log(`  ${b.name.padEnd(16)} ${b.sizeKb.toFixed(1).padStart(7)} KB   load ${ms(b.loadMsMedian)}`);
}
const largest = Math.max(...bundles.map((b) => b.sizeKb));
console.log(
  `  target: each bundle ≤ ${BUNDLE_LIMIT_KB} KB → largest ${largest.toFixed(1)} KB: ${largest <= BUNDLE_LIMIT_KB ? 'met' : 'NOT met'}`,
);

const { demo, stop } = await startStackProcess();
try {
  // This process reads the broker's secrets and warms its table through the same endpoints.
  useLocalEnvironment({
    AWS_ENDPOINT_URL_DYNAMODB: demo.dynamodbUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: demo.secretsUrl,
    SECPASS_TABLE: demo.tableName,
    SECPASS_SIGNING_SECRET_ID: demo.secretIds.signing,
    MYINFO_SECRET_ID: demo.secretIds.myinfo,
    MYINFO_BASE_URL: `${demo.upstreams.mockpass}/myinfo/v3`,
  });
  await warmDynamoDbLocal(JVM_WARMUP_REQUESTS);
  const figures = await measureFlows(demo, FLOWS, WARMUP);
  const row = (label: string, values: number[]) =>
    console.log(
      `  ${label.padEnd(44)} p50 ${ms(percentile(values, 50)).padStart(10)}   p95 ${ms(percentile(values, 95)).padStart(10)}`,
    );
  console.log(
    `\nMyinfo flows against local MockPass: ${FLOWS} measured after ${WARMUP} warm-up flows (DynamoDB Local warmed with ${JVM_WARMUP_REQUESTS} requests)`,
  );
  row('(a) GET /myinfo/token through the gateway', figures.route);
  row('(b) token + person called directly (upstream)', figures.upstream);
  row('(c) our cryptography alone (floor)', figures.crypto);
  const overhead = figures.route.map((value, i) => value - (figures.upstream[i] ?? 0));
  row('broker overhead (a) − (b), per flow', overhead);
  const overheadP50 = percentile(overhead, 50);
  const floorP50 = percentile(figures.crypto, 50);
  console.log(
    `  target: overhead p50 ≤ 2 × crypto floor p50 → ${ms(overheadP50)} vs ${ms(2 * floorP50)}: ${overheadP50 <= 2 * floorP50 ? 'met' : 'NOT met'}`,
  );
} finally {
  await stop();
}
