import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readJson, sendJson } from '../http.ts';
import { authenticateCaller, mayAccess, requireScope } from './api-auth.ts';
import { exactParams, parseMonth, parseYear } from './api-query.ts';
import { singaporeToday } from './calendar.ts';
import type { CpfhubContext } from './context.ts';
import { CPFHUB_EMPLOYEES, CPFHUB_EMPLOYER } from './employees.ts';
import { CpfhubError } from './errors.ts';
import { type ContributionEntry, contributionEntry, submittedContribution } from './ledger.ts';
import { toDollars } from './money.ts';
import { parseSubmission } from './submission.ts';

/**
 * GET and POST /v1/contributions. A submission is checked and acknowledged but not kept: what GET
 * answers stays a pure function of the date, so tests can rely on it.
 */
export const CONTRIBUTIONS_PATH = '/v1/contributions';

export const handleGetContributions = (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: string,
): void => {
  const principal = authenticateCaller(ctx, req);
  requireScope(principal, 'cpf_contribution:read');
  const params = exactParams(query, ['year', 'month']);
  const yearMonth = { year: parseYear(params.year), month: parseMonth(params.month) };
  const today = singaporeToday(Date.now());
  const contributions = CPFHUB_EMPLOYEES.filter((e) => mayAccess(principal, e))
    .map((e) => contributionEntry(e, yearMonth, today))
    .filter((entry): entry is ContributionEntry => entry !== undefined);
  sendJson(res, 200, { ...yearMonth, employer: CPFHUB_EMPLOYER, contributions });
};

export const handlePostContributions = async (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: string,
): Promise<void> => {
  const principal = authenticateCaller(ctx, req);
  requireScope(principal, 'cpf_contribution:write');
  exactParams(query, []);
  const submission = parseSubmission(await readJson(req), singaporeToday(Date.now()));
  if (!submission.lines.every((line) => mayAccess(principal, line.employee))) {
    throw new CpfhubError(
      403,
      'access_denied',
      "a user's token may submit only that user's own contributions",
    );
  }
  const total = submission.lines.reduce(
    (sum, line) =>
      sum +
      submittedContribution(line.employee, submission.yearMonth, line.ordinaryWages, line.additionalWages)
        .total,
    0,
  );
  const { year, month } = submission.yearMonth;
  sendJson(res, 201, {
    submissionId: `SUB-${year}${String(month).padStart(2, '0')}-${randomBytes(6).toString('hex').toUpperCase()}`,
    status: 'received',
    count: submission.lines.length,
    totalContributions: toDollars(total),
  });
};
