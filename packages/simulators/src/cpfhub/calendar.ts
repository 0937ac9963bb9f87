/**
 * Months as CPF counts them, and "today" in Singapore (UTC+8, no daylight saving), which decides
 * which months have contributions yet and which have been paid.
 */
export interface YearMonth {
  year: number;
  month: number;
}

export interface Today extends YearMonth {
  /** YYYY-MM-DD */
  date: string;
}

const SINGAPORE_OFFSET_MS = 8 * 3_600_000;

const pad = (n: number) => String(n).padStart(2, '0');

export const singaporeToday = (now: number): Today => {
  const local = new Date(now + SINGAPORE_OFFSET_MS);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + 1;
  return { year, month, date: `${year}-${pad(month)}-${pad(local.getUTCDate())}` };
};

/** A single number that orders months, for comparisons and loops. */
export const monthIndex = ({ year, month }: YearMonth): number => year * 12 + (month - 1);

export const fromMonthIndex = (index: number): YearMonth => ({
  year: Math.floor(index / 12),
  month: (index % 12) + 1,
});

export const parseYearMonth = (text: string): YearMonth => {
  const [year = '', month = ''] = text.split('-');
  return { year: Number(year), month: Number(month) };
};

/** Employers must pay by the 14th of the following month; the simulated one pays on that day. */
export const paymentDate = ({ year, month }: YearMonth): string => {
  const next = fromMonthIndex(monthIndex({ year, month }) + 1);
  return `${next.year}-${pad(next.month)}-14`;
};

export const lastDayOf = ({ year, month }: YearMonth): string =>
  `${year}-${pad(month)}-${pad(new Date(Date.UTC(year, month, 0)).getUTCDate())}`;

/**
 * The age CPF's rate tables mean for a month: a new age band applies from the month after the
 * birthday, so in the birthday month itself the person still counts as a year younger.
 */
export const ageForMonth = (dateOfBirth: string, { year, month }: YearMonth): number => {
  const born = parseYearMonth(dateOfBirth.slice(0, 7));
  return year - born.year - (month <= born.month ? 1 : 0);
};
