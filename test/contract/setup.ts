import { isGatewayUrl } from '../../local/gateway-registry.ts';
import { interceptFetch } from './fetch-interceptor.ts';
import { type ContractViolation, checkResponse } from './response-checker.ts';
import { formatViolations } from './violation-report.ts';

/**
 * `node --import ./test/contract/setup.ts --test …`: in every test process, each answer a local
 * gateway gives through `fetch` (its URL registered by `local/stack.ts`) is held to
 * docs/openapi.yaml. Violations are printed when the process exits and fail its test file through
 * the exit code, so a drift between the server and its document cannot pass unnoticed.
 */
const violations: ContractViolation[] = [];

interceptFetch(isGatewayUrl, (observed) => {
  try {
    const violation = checkResponse(observed);
    if (violation) violations.push(violation);
  } catch (error) {
    // A document the checker cannot read (an unresolved $ref, a broken schema) fails the run too.
    violations.push({
      request: `${observed.method} ${new URL(observed.url).pathname}`,
      route: 'unknown',
      status: observed.status,
      problems: [`the checker failed: ${error instanceof Error ? error.message : String(error)}`],
    });
  }
});

process.on('exit', () => {
  if (violations.length === 0) return;
  // stderr: the test runner passes a child's stderr through, while its stdout carries the results.
  process.stderr.write(`${formatViolations(violations)}\n`);
  process.exitCode = 1;
});
