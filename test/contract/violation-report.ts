import type { ContractViolation } from './response-checker.ts';

/**
 * The violations of one test process, for a person: the same failure seen many times (a loop of
 * requests) is one line with a count, so the report stays readable.
 */
export const formatViolations = (violations: readonly ContractViolation[]): string => {
  const counted = new Map<string, number>();
  for (const { request, route, status, problems } of violations) {
    const line = `  ${request} → ${status} [${route}]: ${problems.join('; ')}`;
    counted.set(line, (counted.get(line) ?? 0) + 1);
  }
  const lines = [...counted].map(([line, count]) => (count > 1 ? `${line} (×${count})` : line));
  const noun = violations.length === 1 ? 'answer does' : 'answers do';
  return [`contract check: ${violations.length} gateway ${noun} not match docs/openapi.yaml`, ...lines].join(
    '\n',
  );
};
