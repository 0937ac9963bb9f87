import { FINDING_KINDS, type FindingKind } from './findings.ts';
import { type FuzzReport, passed } from './run.ts';

/** The run as a person reads it: the figures that must be 0, then what was seen, then examples. */
const LABELS: Record<FindingKind, string> = {
  undesigned5xx: 'undesigned 5xx (not a documented upstream failure)',
  leak: 'stack traces or internal names in bodies',
  hang: 'hangs (no answer within the per-request timeout)',
  dropped: 'dropped (connection closed without an answer)',
  crash: 'crashes (unhandled rejections or exceptions)',
  authz: 'private routes serving a request without its app’s key',
  pollution: 'prototype pollution (built-in prototypes changed)',
  harness: "harness errors (the fuzzer's own failures)",
};

export const formatReport = (report: FuzzReport): string => {
  const lines = [
    `fuzz: seed ${report.seed}, ${report.completed} of ${report.count} cases in ${(report.elapsedMs / 1000).toFixed(1)} s` +
      ` (${report.sent.gateway} through the gateway, ${report.sent.handlers} into the handlers)`,
    ...FINDING_KINDS.map((kind) => `  ${String(report.counts[kind]).padStart(6)}  ${LABELS[kind]}`),
    `  (${report.designed5xx} other 5xx answers were documented upstream failures)`,
    '  cases per route (gateway / handlers):',
    ...Object.entries(report.routes).map(
      ([route, sent]) =>
        `  ${String(sent.gateway).padStart(6)} / ${String(sent.handlers).padEnd(6)} ${route}`,
    ),
    '  answers:',
    ...Object.entries(report.statuses)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([status, count]) => `  ${String(count).padStart(6)}  ${status}`),
  ];
  if (report.completed < report.count) {
    lines.push(`  stopped early: the time budget ran out after ${report.completed} cases`);
  }
  if (report.replayed) {
    lines.push(
      '',
      `case ${report.replayed.index}:`,
      `  request: ${report.replayed.request}`,
      `  answer:  ${report.replayed.outcome}`,
    );
  }
  for (const example of report.examples) {
    lines.push(
      '',
      `${example.kind}${example.index === undefined ? '' : ` in case ${example.index}`}${example.route ? ` (${example.route})` : ''}: ${example.reason}`,
    );
    if (example.request) lines.push(`  request: ${example.request}`);
    if (example.outcome) lines.push(`  answer:  ${example.outcome}`);
    if (example.index !== undefined) {
      lines.push(`  replay:  npm run fuzz -- --seed ${report.seed} --only ${example.index}`);
    }
  }
  lines.push('', passed(report) ? 'fuzz: passed' : 'fuzz: FAILED');
  return `${lines.join('\n')}\n`;
};
