import { measureBundles } from './bundles.ts';
import { measureFlows } from './flows.ts';

/**
 * `npm run bench`: figures, not pass/fail. Secpass logs at its production level while measured;
 * only the writing of its (and MockPass's) log lines to this terminal is dropped, to keep the
 * report readable.
 */
const FLOWS = Number(process.env.BENCH_FLOWS ?? 120);
const WARMUP = 30;
const BUNDLE_LIMIT_KB = 400;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};
const ms = (value: number) => `${value.toFixed(2)} ms`;

const quietLogs = () => {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const isLog =
      text.startsWith('{"level"') || text.startsWith('127.0.0.1 - -') || text.startsWith('Redirecting login');
    return isLog ? true : write(chunk, ...rest);
  }) as typeof process.stdout.write;
};

console.log('Bundles (minified, as deployed; load = import in a fresh process, median of 10)');
const bundles = await measureBundles();
for (const b of bundles) {
  console.log(`  ${b.name.padEnd(16)} ${b.sizeKb.toFixed(1).padStart(7)} KB   load ${ms(b.loadMsMedian)}`);
}
const largest = Math.max(...bundles.map((b) => b.sizeKb));
console.log(
  `  target: each bundle ≤ ${BUNDLE_LIMIT_KB} KB → largest ${largest.toFixed(1)} KB: ${largest <= BUNDLE_LIMIT_KB ? 'met' : 'NOT met'}`,
);

quietLogs();
const { startLocalStack } = await import('../local/stack.ts');
const stack = await startLocalStack({ demoAppCount: 1 });
try {
  const figures = await measureFlows(stack, FLOWS, WARMUP);
  const row = (label: string, values: number[]) =>
    console.log(
      `  ${label.padEnd(44)} p50 ${ms(percentile(values, 50)).padStart(10)}   p95 ${ms(percentile(values, 95)).padStart(10)}`,
    );
  console.log(`\nMyinfo flows against local MockPass: ${FLOWS} measured after ${WARMUP} warm-up`);
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
  await stack.stop();
}
