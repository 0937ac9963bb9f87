import { randomUUID } from 'node:crypto';
import { ROUTES, type Route } from '../../infra/routes.ts';
import { type FuzzCase, fuzzCase, type Via } from './cases.ts';
import { describeCase, describeOutcome } from './describe.ts';
import { FINDING_KINDS, type Finding, type FindingKind, judge } from './findings.ts';
import { withFreshState } from './fresh-state.ts';
import type { FuzzApp } from './headers.ts';
import { undesigned5xx } from './oracle.ts';
import type { Outcome } from './outcome.ts';
import { assertLoopback, gatewayAgent, sendThroughGateway } from './via-gateway.ts';
import { invokeHandlers } from './via-handlers.ts';

/**
 * One fuzzing run: cases 0…count-1 of a seed, a few at a time, each judged as it ends. Bounded in
 * count, per request (a hang is a finding, not a wait) and in total time.
 */
export interface FuzzOptions {
  seed: number;
  count: number;
  /** Cases in flight at once. */
  concurrency: number;
  /** A case with no answer by then is a hang. */
  timeoutMs: number;
  /** The whole run stops starting cases after this; the report says how many it completed. */
  budgetMs: number;
  /** Replays this one case of the seed instead of the run. */
  only?: number;
  /** Told the number of cases completed, every `progressEvery` of them. */
  onProgress?: (completed: number) => void;
  progressEvery?: number;
}

/** A running local stack, as far as the fuzzer needs one. */
export interface FuzzTarget {
  gatewayUrl: string;
  apps: readonly FuzzApp[];
}

export interface FuzzReport {
  seed: number;
  count: number;
  completed: number;
  elapsedMs: number;
  sent: Record<Via, number>;
  /** `via status` → cases, e.g. `gateway 403`, `handlers 400 (API Gateway's own)`. */
  statuses: Record<string, number>;
  /** 5xx answers that are documented upstream failures: expected, but worth seeing. */
  designed5xx: number;
  /** `METHOD /path` of each route → cases sent for it through each door. */
  routes: Record<string, Record<Via, number>>;
  counts: Record<FindingKind, number>;
  /** The first few findings of each kind, in full. */
  examples: Finding[];
  /** With `only`: the case and how it ended, whatever that was. */
  replayed?: { index: number; request: string; outcome: string };
}

const EXAMPLES_PER_KIND = 10;

export const passed = (report: FuzzReport): boolean =>
  report.completed === report.count && FINDING_KINDS.every((kind) => report.counts[kind] === 0);

const routeName = (route: Route): string => `${route.method} ${route.path}`;

const prototypeShape = () =>
  [Object.prototype, Array.prototype, Function.prototype, String.prototype]
    .map((proto) => Object.getOwnPropertyNames(proto).sort().join(','))
    .join('|');

const statusKey = (fuzzCase: FuzzCase, outcome: Outcome): string => {
  switch (outcome.kind) {
    case 'answered':
      return `${fuzzCase.via} ${outcome.answer.status}`;
    case 'refused-by-gateway':
      return `${fuzzCase.via} ${outcome.status} (API Gateway's own)`;
    case 'lambda-failure':
      return `${fuzzCase.via} ${outcome.status} (Lambda failure)`;
    default:
      return `${fuzzCase.via} ${outcome.kind}`;
  }
};

export const runFuzz = async (target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> => {
  const gateway = new URL(target.gatewayUrl);
  assertLoopback(gateway);
  if (target.apps.length === 0) throw new Error('the fuzzer needs at least one app');
  const indexes =
    options.only === undefined
      ? { first: 0, end: options.count }
      : { first: options.only, end: options.only + 1 };
  const report: FuzzReport = {
    seed: options.seed,
    count: indexes.end - indexes.first,
    completed: 0,
    elapsedMs: 0,
    sent: { gateway: 0, handlers: 0 },
    statuses: {},
    designed5xx: 0,
    routes: Object.fromEntries(
      ROUTES.map((route) => [routeName(route), { gateway: 0, handlers: 0 }]),
    ) as Record<string, Record<Via, number>>,
    counts: Object.fromEntries(FINDING_KINDS.map((kind) => [kind, 0])) as Record<FindingKind, number>,
    examples: [],
  };
  const record = (finding: Finding) => {
    report.counts[finding.kind] += 1;
    if (report.examples.filter((example) => example.kind === finding.kind).length < EXAMPLES_PER_KIND) {
      report.examples.push(finding);
    }
  };
  // A handler's stray rejection or throw would kill a Lambda's process: counted, not survived silently.
  const onCrash = (error: unknown) =>
    record({
      kind: 'crash',
      reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const prototypesBefore = prototypeShape();
  const agent = gatewayAgent(options.concurrency);
  const started = Date.now();
  const deadline = started + options.budgetMs;
  let next = indexes.first;

  const runOne = async (index: number) => {
    const built = await withFreshState(
      fuzzCase(options.seed, index, target.apps),
      target.gatewayUrl,
      target.apps,
    );
    report.sent[built.via] += 1;
    const routeCounts = report.routes[routeName(built.route)];
    if (routeCounts) routeCounts[built.via] += 1;
    const outcome =
      built.via === 'gateway'
        ? await sendThroughGateway(gateway, built, options.timeoutMs, agent)
        : await invokeHandlers(built, randomUUID(), options.timeoutMs);
    if (options.only !== undefined) {
      report.replayed = { index, request: describeCase(built), outcome: describeOutcome(outcome) };
    }
    const key = statusKey(built, outcome);
    report.statuses[key] = (report.statuses[key] ?? 0) + 1;
    if (outcome.kind === 'answered' && outcome.answer.status >= 500 && !undesigned5xx(outcome.answer)) {
      report.designed5xx += 1;
    }
    for (const { kind, reason } of judge(built, outcome, target.apps)) {
      record({
        kind,
        reason,
        index,
        route: routeName(built.route),
        request: describeCase(built),
        outcome: describeOutcome(outcome),
      });
    }
  };
  const worker = async () => {
    while (next < indexes.end && Date.now() < deadline) {
      const index = next;
      next += 1;
      try {
        await runOne(index);
      } catch (error) {
        const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        record({ kind: 'harness', reason: `the fuzzer failed on case ${index}: ${reason}`, index });
      }
      report.completed += 1;
      if (report.completed % (options.progressEvery ?? 1000) === 0) options.onProgress?.(report.completed);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
    // Give a late rejection from an abandoned (hung) handler a moment to show itself.
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
    agent.destroy();
  }
  if (prototypeShape() !== prototypesBefore) {
    record({ kind: 'pollution', reason: 'a built-in prototype gained or lost properties during the run' });
  }
  report.elapsedMs = Date.now() - started;
  return report;
};
