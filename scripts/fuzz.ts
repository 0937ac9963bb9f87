import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { quietOutput } from './fuzz/quiet-output.ts';
import { parseSeed } from './fuzz/random.ts';
import { formatReport } from './fuzz/report.ts';
import { passed, runFuzz } from './fuzz/run.ts';
import { mockPassSettled } from './fuzz/settle.ts';
import { exitWithUsageIfAsked } from './help.ts';

/**
 * `npm run fuzz`: starts the local stack on loopback and sends it seeded, hostile requests for every
 * route, through the gateway and straight into the handlers; prints what it found and exits 1 if
 * anything must be fixed. The same seed sends the same cases, so a finding replays with --only.
 */
const USAGE = `usage: npm run fuzz -- [--seed N] [--count N] [--concurrency N] [--timeout-ms N] [--budget-seconds N] [--only INDEX] [--logs]
  --seed N            the run's seed, decimal or 0x-hex (default: a random one, printed)
  --count N           cases to run (default 10000)
  --concurrency N     cases in flight at once (default 8)
  --timeout-ms N      a case with no answer by then is a hang (default 15000)
  --budget-seconds N  stop starting cases after this long (default 1800)
  --only INDEX        replay one case of the seed and print it
  --logs              keep the handlers' log lines on stdout`;

class UsageError extends Error {}

const positive = (text: string | undefined, fallback: number, name: string): number => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${name} must be a whole number above 0`);
  return value;
};

const parse = (args: string[]) =>
  parseArgs({
    args,
    options: {
      seed: { type: 'string' },
      count: { type: 'string' },
      concurrency: { type: 'string' },
      'timeout-ms': { type: 'string' },
      'budget-seconds': { type: 'string' },
      only: { type: 'string' },
      logs: { type: 'boolean', default: false },
    },
  });

const optionsFrom = (argv: string[]) => {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const seed = values.seed === undefined ? randomInt(0, 2 ** 32) : parseSeed(values.seed);
  if (seed === undefined) throw new UsageError('--seed must be a 32-bit unsigned number, decimal or 0x-hex');
  const only = values.only === undefined ? undefined : Number(values.only);
  if (only !== undefined && (!Number.isInteger(only) || only < 0))
    throw new UsageError('--only must be a case index');
  return {
    seed,
    count: positive(values.count, 10_000, 'count'),
    concurrency: positive(values.concurrency, 8, 'concurrency'),
    timeoutMs: positive(values['timeout-ms'], 15_000, 'timeout-ms'),
    budgetMs: positive(values['budget-seconds'], 1_800, 'budget-seconds') * 1000,
    only,
    logs: values.logs,
  };
};

const main = async (argv: string[]): Promise<number> => {
  exitWithUsageIfAsked(USAGE, argv);
  let options: ReturnType<typeof optionsFrom>;
  try {
    options = optionsFrom(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`fuzz: ${error.message}\n${USAGE}`);
    return 2;
  }
  const output = options.logs
    ? { write: (text: string) => void process.stdout.write(text), restore: () => {} }
    : quietOutput();
  output.write(`fuzz: seed ${options.seed}; starting the local stack\n`);
  // Imported only now: the stack's modules read their settings as they load.
  const { startLocalStack } = await import('../local/stack.ts');
  const stack = await startLocalStack();
  try {
    output.write(
      `fuzz: running ${options.only === undefined ? `${options.count} cases` : `case ${options.only}`}\n`,
    );
    const report = await runFuzz(stack, {
      ...options,
      onProgress: (completed) => output.write(`fuzz: ${completed} cases done\n`),
    });
    output.write(formatReport(report));
    return passed(report) ? 0 : 1;
  } finally {
    await mockPassSettled(stack.upstreams.mockpass);
    await stack.stop();
    output.restore();
  }
};

if (import.meta.main) {
  process.exitCode = await main(process.argv.slice(2));
}
