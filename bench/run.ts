import { useLocalEnvironment } from '../local/local-environment.ts';
import { exitWithUsageIfAsked } from '../scripts/help.ts';
import { LAMBDA_CPU_FACTOR, measureColdStarts, RUNTIME_INIT_MS } from './bundles.ts';
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
environment: BENCH_FLOWS  flows to time after the warm-up (default 200)
             BENCH_ONLY=bundles  print the bundle figures only`);

const FLOWS = Number(process.env.BENCH_FLOWS ?? 200);
const WARMUP = 50;
const JVM_WARMUP_REQUESTS = 3_000;
const BUNDLE_LIMIT_KB = 400;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(2)} ms`;

const IMPORT_RUNS = 9;
const EMBEDDED_SHARE = 4;
const IMPORT_LIMIT_MS = 60;
console.log(
  `Cold start: each function as deployed (infra/bundling.ts), its handler imported as Lambda's runtime does, nothing invoked; medians of ${IMPORT_RUNS} fresh Node processes`,
);
const coldStarts = await measureColdStarts(IMPORT_RUNS);
console.log(
  `  ${'function'.padEnd(18)} ${'asset'.padStart(9)} ${'loaded'.padStart(9)}   ${'import'.padStart(9)}   ${'(CPU)'.padStart(9)}   est. Lambda init`,
);
for (const b of coldStarts.bundles) {
  console.log(
    `  ${b.name.padEnd(18)} ${`${b.sizeKb.toFixed(1)} KB`.padStart(9)} ${`${b.loadedKb.toFixed(1)} KB`.padStart(9)}   ${ms(b.importMsMedian).padStart(9)}   ${ms(b.importCpuMsMedian).padStart(9)}   ${ms(b.initMsEstimate)}`,
  );
}
console.log(
  `  ${'myinfo-gov-client'.padEnd(18)} ${''.padStart(9)} ${''.padStart(9)}   ${ms(coldStarts.myinfoGovClientMsMedian).padStart(9)}   ${ms(coldStarts.myinfoGovClientCpuMsMedian).padStart(9)}   (what an app embedding Myinfo imports)`,
);
console.log(
  `  asset: index.mjs and its chunks; loaded: what the import reads; CPU: the import's main-thread CPU time; est. Lambda init = ${RUNTIME_INIT_MS} ms + ${LAMBDA_CPU_FACTOR} × import (bench/bundles.ts)`,
);
const importTarget = (slowest: number, embedded: number) => {
  const limit = Math.min(embedded / EMBEDDED_SHARE, IMPORT_LIMIT_MS);
  return `slowest ${ms(slowest)} vs ${ms(limit)}: ${slowest <= limit ? 'met' : 'NOT met'}`;
};
console.log(
  `  target: each import ≤ 1/${EMBEDDED_SHARE} of myinfo-gov-client's and ≤ ${IMPORT_LIMIT_MS} ms → ${importTarget(Math.max(...coldStarts.bundles.map((b) => b.importMsMedian)), coldStarts.myinfoGovClientMsMedian)}; by CPU time, ${importTarget(Math.max(...coldStarts.bundles.map((b) => b.importCpuMsMedian)), coldStarts.myinfoGovClientCpuMsMedian)}`,
);
const largestAsset = Math.max(...coldStarts.bundles.map((b) => b.sizeKb));
const largestLoaded = Math.max(...coldStarts.bundles.map((b) => b.loadedKb));
console.log(
  `  target: each bundle ≤ ${BUNDLE_LIMIT_KB} KB → largest asset ${largestAsset.toFixed(1)} KB (AWS SDK included): ${largestAsset <= BUNDLE_LIMIT_KB ? 'met' : 'NOT met'}; largest loaded at cold start ${largestLoaded.toFixed(1)} KB: ${largestLoaded <= BUNDLE_LIMIT_KB ? 'met' : 'NOT met'}`,
);
if (process.env.BENCH_ONLY === 'bundles') process.exit(0);

// The token path's targets: (a) within 1.25 × (b) at p50; broker CPU per flow within 2 × the floor.
const RATIO_LIMIT = 1.25;
const broker = await startStackProcess();
try {
  const { demo } = broker;
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
  const loggedBefore = broker.logBytes();
  const figures = await measureFlows(broker, FLOWS, WARMUP);
  const logBytesPerLogin = (broker.logBytes() - loggedBefore) / (FLOWS + WARMUP);
  const row = (label: string, values: number[]) =>
    console.log(
      `  ${label.padEnd(52)} p50 ${ms(percentile(values, 50)).padStart(10)}   p95 ${ms(percentile(values, 95)).padStart(10)}`,
    );
  console.log(
    `\nMyinfo token path against local MockPass: ${FLOWS} flows each way, interleaved, after ${WARMUP} warm-up flows each (DynamoDB Local warmed with ${JVM_WARMUP_REQUESTS} requests)`,
  );
  row('(a) GET /myinfo/token + @secpass/client opens it', figures.broker);
  row('(b) app embedding myinfo-gov-client v4', figures.embedded);
  row('(c) our cryptography alone (floor)', figures.crypto);
  const brokerP50 = percentile(figures.broker, 50);
  const embeddedP50 = percentile(figures.embedded, 50);
  const ratio = brokerP50 / embeddedP50;
  console.log(
    `  target: p50(a) ≤ ${RATIO_LIMIT} × p50(b) → ratio ${ratio.toFixed(2)} (${ms(brokerP50)} vs ${ms(RATIO_LIMIT * embeddedP50)}): ${ratio <= RATIO_LIMIT ? 'met' : 'NOT met'}`,
  );
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const cpuPerFlow = mean(figures.brokerCpu);
  const floorP50 = percentile(figures.crypto, 50);
  console.log(
    `  broker process CPU (user + system) per (a) token call: ${ms(cpuPerFlow)} (p50 ${ms(percentile(figures.brokerCpu, 50))}; reading it costs ${ms(mean(figures.emptyBracketCpu))} of that); its init: ${ms(mean(figures.initCpu))}`,
  );
  console.log(
    `  target: CPU per flow ≤ 2 × crypto floor p50 → ${ms(cpuPerFlow)} vs ${ms(2 * floorP50)}: ${cpuPerFlow <= 2 * floorP50 ? 'met' : 'NOT met'}`,
  );
  // Each (a) flow is one login: /myinfo/init and /myinfo/token; the authorizer's answer is cached.
  console.log(
    `  broker log lines per login (init + token, authorizer cached): ${(logBytesPerLogin / 1024).toFixed(2)} KB`,
  );
} finally {
  await broker.stop();
}
