import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.ts';
import { authenticateCaller, mayAccess, requireScope } from './api-auth.ts';
import { exactParams, parseYear } from './api-query.ts';
import { singaporeToday } from './calendar.ts';
import type { CpfhubContext } from './context.ts';
import { CPFHUB_EMPLOYEES, CPFHUB_EMPLOYER } from './employees.ts';
import { type Statement, statementFor } from './ledger.ts';

/** GET /v1/statements?year=YYYY: one annual statement per CPF member the caller may see. */
export const STATEMENTS_PATH = '/v1/statements';

export const handleGetStatements = (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: string,
): void => {
  const principal = authenticateCaller(ctx, req);
  requireScope(principal, 'cpf_statement:read');
  const year = parseYear(exactParams(query, ['year']).year);
  const today = singaporeToday(Date.now());
  const statements = CPFHUB_EMPLOYEES.filter((e) => mayAccess(principal, e))
    .map((e) => statementFor(e, year, today))
    .filter((s): s is Statement => s !== undefined);
  sendJson(res, 200, { year, employer: CPFHUB_EMPLOYER, statements });
};
