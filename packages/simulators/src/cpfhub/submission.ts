import { FIRST_YEAR } from './api-query.ts';
import { monthIndex, parseYearMonth, type Today, type YearMonth } from './calendar.ts';
import { type CpfhubEmployee, employeeById } from './employees.ts';
import { invalidRequest } from './errors.ts';
import { isAmount, toCents } from './money.ts';

/**
 * The body of POST /v1/contributions, checked strictly: exactly the fields the call takes, of the
 * right types, for employees on the payroll that month who are CPF members, each once.
 * `{ "year": 2025, "month": 5, "contributions": [ { "employeeId", "ordinaryWages", "additionalWages" } ] }`
 */
export interface SubmittedLine {
  employee: CpfhubEmployee;
  /** Cents. */
  ordinaryWages: number;
  additionalWages: number;
}

export interface Submission {
  yearMonth: YearMonth;
  lines: SubmittedLine[];
}

const MAX_LINES = 1_000;
const BODY_FIELDS = ['year', 'month', 'contributions'];
const LINE_FIELDS = ['employeeId', 'ordinaryWages', 'additionalWages'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const onlyFields = (value: Record<string, unknown>, allowed: readonly string[], where: string): void => {
  const extra = Object.keys(value).find((name) => !allowed.includes(name));
  if (extra !== undefined) throw invalidRequest(`${where} has an unexpected field ${extra}`);
};

const period = (body: Record<string, unknown>, today: Today): YearMonth => {
  const { year, month } = body;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < FIRST_YEAR || year > 9999) {
    throw invalidRequest(`year must be a whole number from ${FIRST_YEAR}`);
  }
  if (typeof month !== 'number' || !Number.isInteger(month) || month < 1 || month > 12) {
    throw invalidRequest('month must be a whole number from 1 to 12');
  }
  if (monthIndex({ year, month }) > monthIndex(today)) {
    throw invalidRequest('contributions cannot be submitted for a month that has not begun');
  }
  return { year, month };
};

const amountInCents = (value: unknown, where: string): number => {
  if (!isAmount(value)) {
    throw invalidRequest(`${where} must be a non-negative amount in dollars with at most 2 decimals`);
  }
  return toCents(value);
};

const submittedLine = (item: unknown, index: number, yearMonth: YearMonth): SubmittedLine => {
  const where = `contributions[${index}]`;
  if (!isRecord(item)) throw invalidRequest(`${where} must be an object`);
  onlyFields(item, LINE_FIELDS, where);
  const { employeeId, ordinaryWages, additionalWages } = item;
  if (typeof employeeId !== 'string') throw invalidRequest(`${where}.employeeId must be a string`);
  const employee = employeeById(employeeId);
  if (!employee) throw invalidRequest(`${where}.employeeId is not an employee of this employer`);
  if (!employee.cpfApplicable) throw invalidRequest(`${where}.employeeId is not a CPF member`);
  if (monthIndex(parseYearMonth(employee.joined)) > monthIndex(yearMonth)) {
    throw invalidRequest(`${where}.employeeId was not yet employed that month`);
  }
  return {
    employee,
    ordinaryWages: amountInCents(ordinaryWages, `${where}.ordinaryWages`),
    additionalWages: amountInCents(additionalWages, `${where}.additionalWages`),
  };
};

export const parseSubmission = (body: unknown, today: Today): Submission => {
  if (!isRecord(body)) throw invalidRequest('body must be a JSON object');
  onlyFields(body, BODY_FIELDS, 'body');
  const yearMonth = period(body, today);
  const { contributions } = body;
  if (!Array.isArray(contributions) || contributions.length === 0 || contributions.length > MAX_LINES) {
    throw invalidRequest(`contributions must be an array of 1 to ${MAX_LINES} entries`);
  }
  const lines = contributions.map((item: unknown, index) => submittedLine(item, index, yearMonth));
  const ids = lines.map((l) => l.employee.employeeId);
  if (new Set(ids).size !== ids.length) throw invalidRequest('an employee appears more than once');
  return { yearMonth, lines };
};
