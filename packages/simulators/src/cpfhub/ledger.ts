import {
  ageForMonth,
  fromMonthIndex,
  lastDayOf,
  monthIndex,
  parseYearMonth,
  paymentDate,
  type Today,
  type YearMonth,
} from './calendar.ts';
import {
  additionalWageCeiling,
  type Contribution,
  contributionFor,
  ordinaryWagesSubject,
} from './cpf-rules.ts';
import type { AccountAmounts, CpfhubEmployee } from './employees.ts';
import { accountsInDollars, addAccounts, NO_AMOUNTS, toCents, toDollars } from './money.ts';

/**
 * The payroll's CPF history, computed from the rules and the real clock rather than stored: a
 * month has contributions once it has begun, is paid on the 14th of the next month, and the
 * statement's balances grow by what was paid plus interest credited each 31 December.
 */
interface MonthRecord {
  yearMonth: YearMonth;
  /** Cents. */
  ordinaryWages: number;
  additionalWages: number;
  contribution: Contribution;
  paidOn: string;
  paid: boolean;
}

/** Wages, shares and their split over the accounts, in dollars: a month's line or a year's totals. */
export interface StatementTotals {
  ordinaryWages: number;
  additionalWages: number;
  employerShare: number;
  employeeShare: number;
  total: number;
  allocation: AccountAmounts;
}

/** One month's line, in dollars, as the API shows it. */
export interface ContributionLine extends StatementTotals {
  /** Null until the payment date has come. */
  paidOn: string | null;
}

export interface ContributionEntry extends ContributionLine {
  employeeId: string;
  nric: string;
  name: string;
}

export interface Statement {
  employeeId: string;
  nric: string;
  name: string;
  /** 31 December of the year, or today for the current year. */
  asOf: string;
  /** On 1 January, or when the person joined during the year. */
  openingBalance: AccountAmounts;
  months: (ContributionLine & { month: number })[];
  totals: StatementTotals;
  /** Credited on 31 December; zero until then. */
  interest: AccountAmounts;
  /** The opening balance plus what was paid and the interest credited. */
  closingBalance: AccountAmounts;
}

// Floor rates, in hundredths of a percent a year; extra interest on the first $60,000 is left out.
const INTEREST_RATES: AccountAmounts = { oa: 250, sa: 400, ma: 400 };

const onPayroll = (employee: CpfhubEmployee, month: YearMonth, today: Today): boolean =>
  employee.cpfApplicable &&
  monthIndex(month) >= monthIndex(parseYearMonth(employee.joined)) &&
  monthIndex(month) <= monthIndex(today);

/** The ordinary wages attracting CPF over the months of a year this person was paid. */
const ordinaryWagesSubjectForYear = (employee: CpfhubEmployee, year: number): number => {
  const joined = parseYearMonth(employee.joined);
  const firstMonth = joined.year === year ? joined.month : 1;
  const months = joined.year > year ? 0 : 13 - firstMonth;
  return months * ordinaryWagesSubject(year, toCents(employee.monthlyOrdinaryWage));
};

const monthRecord = (employee: CpfhubEmployee, yearMonth: YearMonth, today: Today): MonthRecord => {
  const ordinaryWages = toCents(employee.monthlyOrdinaryWage);
  const additionalWages = yearMonth.month === 12 ? ordinaryWages : 0;
  const paidOn = paymentDate(yearMonth);
  return {
    yearMonth,
    ordinaryWages,
    additionalWages,
    contribution: contributionFor({
      year: yearMonth.year,
      age: ageForMonth(employee.dateOfBirth, yearMonth),
      ordinaryWages,
      additionalWages,
      additionalWageCeiling: additionalWageCeiling(ordinaryWagesSubjectForYear(employee, yearMonth.year)),
    }),
    paidOn,
    paid: paidOn <= today.date,
  };
};

const line = (record: MonthRecord): ContributionLine => ({
  ordinaryWages: toDollars(record.ordinaryWages),
  additionalWages: toDollars(record.additionalWages),
  employerShare: toDollars(record.contribution.employerShare),
  employeeShare: toDollars(record.contribution.employeeShare),
  total: toDollars(record.contribution.total),
  allocation: accountsInDollars(record.contribution.allocation),
  paidOn: record.paid ? record.paidOn : null,
});

/** The month's contribution for this person, or undefined when there is none (yet). */
export const contributionEntry = (
  employee: CpfhubEmployee,
  yearMonth: YearMonth,
  today: Today,
): ContributionEntry | undefined =>
  onPayroll(employee, yearMonth, today)
    ? {
        employeeId: employee.employeeId,
        nric: employee.userId,
        name: employee.name,
        ...line(monthRecord(employee, yearMonth, today)),
      }
    : undefined;

const totalsOf = (records: readonly MonthRecord[]): StatementTotals => {
  const sum = (pick: (r: MonthRecord) => number) => toDollars(records.reduce((acc, r) => acc + pick(r), 0));
  return {
    ordinaryWages: sum((r) => r.ordinaryWages),
    additionalWages: sum((r) => r.additionalWages),
    employerShare: sum((r) => r.contribution.employerShare),
    employeeShare: sum((r) => r.contribution.employeeShare),
    total: sum((r) => r.contribution.total),
    allocation: accountsInDollars(
      records.reduce((acc, r) => addAccounts(acc, r.contribution.allocation), NO_AMOUNTS),
    ),
  };
};

// Fractions of a cent are kept until the year's interest is credited, as CPF rounds only then.
const monthlyInterest = (balance: AccountAmounts): AccountAmounts => ({
  oa: (balance.oa * INTEREST_RATES.oa) / 10_000 / 12,
  sa: (balance.sa * INTEREST_RATES.sa) / 10_000 / 12,
  ma: (balance.ma * INTEREST_RATES.ma) / 10_000 / 12,
});

const roundedAccounts = (a: AccountAmounts): AccountAmounts => ({
  oa: Math.round(a.oa),
  sa: Math.round(a.sa),
  ma: Math.round(a.ma),
});

/**
 * The person's statement for a year, or undefined when they were not on the payroll by then.
 * Interest is earned monthly on the balance held through the month (which, with only credits,
 * is its lowest) and a month's contribution counts from the month after.
 */
export const statementFor = (employee: CpfhubEmployee, year: number, today: Today): Statement | undefined => {
  const first = monthIndex(parseYearMonth(employee.joined));
  const last = Math.min(monthIndex({ year, month: 12 }), monthIndex(today));
  if (!employee.cpfApplicable || year > today.year || first > last) return undefined;

  const joinedWith = employee.balancesWhenJoined;
  let balance: AccountAmounts = {
    oa: toCents(joinedWith.oa),
    sa: toCents(joinedWith.sa),
    ma: toCents(joinedWith.ma),
  };
  let accrued: AccountAmounts = NO_AMOUNTS;
  let opening: AccountAmounts | undefined;
  let interest: AccountAmounts = NO_AMOUNTS;
  const records: MonthRecord[] = [];
  for (let index = first; index <= last; index++) {
    const yearMonth = fromMonthIndex(index);
    if (yearMonth.year === year && !opening) opening = balance;
    accrued = addAccounts(accrued, monthlyInterest(balance));
    const record = monthRecord(employee, yearMonth, today);
    if (yearMonth.year === year) records.push(record);
    if (record.paid) balance = addAccounts(balance, record.contribution.allocation);
    if (yearMonth.month === 12 && yearMonth.year < today.year) {
      const credited = roundedAccounts(accrued);
      balance = addAccounts(balance, credited);
      if (yearMonth.year === year) interest = credited;
      accrued = NO_AMOUNTS;
    }
  }
  return {
    employeeId: employee.employeeId,
    nric: employee.userId,
    name: employee.name,
    asOf: year < today.year ? lastDayOf({ year, month: 12 }) : today.date,
    openingBalance: accountsInDollars(opening ?? balance),
    months: records.map((r) => ({ month: r.yearMonth.month, ...line(r) })),
    totals: totalsOf(records),
    interest: accountsInDollars(interest),
    closingBalance: accountsInDollars(balance),
  };
};

/**
 * What a submitted month comes to. The year's ordinary wages are not known from one submission,
 * so the additional-wage ceiling is estimated from this month's as if paid all year, as CPF lets
 * employers do.
 */
export const submittedContribution = (
  employee: CpfhubEmployee,
  yearMonth: YearMonth,
  ordinaryWages: number,
  additionalWages: number,
): Contribution =>
  contributionFor({
    year: yearMonth.year,
    age: ageForMonth(employee.dateOfBirth, yearMonth),
    ordinaryWages,
    additionalWages,
    additionalWageCeiling: additionalWageCeiling(12 * ordinaryWagesSubject(yearMonth.year, ordinaryWages)),
  });
