import type { AccountAmounts } from './employees.ts';
import { percentOf } from './money.ts';

/**
 * CPF contribution and allocation rates for private-sector employees who are citizens or PRs
 * from their third year, with monthly wages above $750. Rates are in hundredths of a percent of
 * the wages that attract CPF; the OA takes what is left after SA/RA and MA, as CPF allocates.
 * 2026's table raised the rates for ages 55 to 65 and the ordinary-wage ceiling; every earlier
 * year uses 2025's table, which is close enough for a simulator (older years differ only for
 * workers above 55 and in the ceiling). Cents are rounded half up rather than CPF's whole-dollar
 * rounding, so totals check to the cent.
 */
interface AgeBand {
  /** The band holds ages below this (see ageForMonth: "35 and below" is age < 35 there). */
  below: number;
  employer: number;
  employee: number;
  sa: number;
  ma: number;
}

interface RuleSet {
  ordinaryWageCeiling: number;
  bands: readonly AgeBand[];
}

const UP_TO_55: readonly AgeBand[] = [
  { below: 35, employer: 1700, employee: 2000, sa: 600, ma: 800 },
  { below: 45, employer: 1700, employee: 2000, sa: 700, ma: 900 },
  { below: 50, employer: 1700, employee: 2000, sa: 800, ma: 1000 },
  { below: 55, employer: 1700, employee: 2000, sa: 1150, ma: 1050 },
];

const ABOVE_65: readonly AgeBand[] = [
  { below: 70, employer: 900, employee: 750, sa: 500, ma: 1050 },
  { below: Number.POSITIVE_INFINITY, employer: 750, employee: 500, sa: 100, ma: 1050 },
];

const RULES_2025: RuleSet = {
  ordinaryWageCeiling: 7_400_00,
  bands: [
    ...UP_TO_55,
    { below: 60, employer: 1550, employee: 1700, sa: 1000, ma: 1050 },
    { below: 65, employer: 1200, employee: 1150, sa: 950, ma: 1050 },
    ...ABOVE_65,
  ],
};

const RULES_2026: RuleSet = {
  ordinaryWageCeiling: 8_000_00,
  bands: [
    ...UP_TO_55,
    { below: 60, employer: 1600, employee: 1800, sa: 1150, ma: 1050 },
    { below: 65, employer: 1250, employee: 1250, sa: 1100, ma: 1050 },
    ...ABOVE_65,
  ],
};

/** Ordinary and additional wages together attract CPF up to this much a year. */
const ANNUAL_SALARY_CEILING = 102_000_00;

const rulesFor = (year: number): RuleSet => (year >= 2026 ? RULES_2026 : RULES_2025);

const bandFor = (rules: RuleSet, age: number): AgeBand => {
  const band = rules.bands.find((b) => age < b.below);
  if (!band) throw new Error(`no CPF age band for age ${age}`);
  return band;
};

/** The ordinary wages of one month that attract CPF. */
export const ordinaryWagesSubject = (year: number, ordinaryWages: number): number =>
  Math.min(ordinaryWages, rulesFor(year).ordinaryWageCeiling);

/** What is left of the year's salary ceiling for additional wages (bonuses). */
export const additionalWageCeiling = (ordinaryWagesSubjectForYear: number): number =>
  Math.max(0, ANNUAL_SALARY_CEILING - ordinaryWagesSubjectForYear);

export interface WagesForMonth {
  year: number;
  age: number;
  /** Cents. */
  ordinaryWages: number;
  /** Cents. */
  additionalWages: number;
  /** Cents of additional wages that may still attract CPF this year. */
  additionalWageCeiling: number;
}

export interface Contribution {
  /** All in cents. */
  employerShare: number;
  employeeShare: number;
  total: number;
  allocation: AccountAmounts;
}

export const contributionFor = (wages: WagesForMonth): Contribution => {
  const rules = rulesFor(wages.year);
  const band = bandFor(rules, wages.age);
  const subject =
    ordinaryWagesSubject(wages.year, wages.ordinaryWages) +
    Math.min(wages.additionalWages, wages.additionalWageCeiling);
  const total = percentOf(subject, band.employer + band.employee);
  const employeeShare = percentOf(subject, band.employee);
  const sa = percentOf(subject, band.sa);
  const ma = percentOf(subject, band.ma);
  return {
    employerShare: total - employeeShare,
    employeeShare,
    total,
    allocation: { oa: total - sa - ma, sa, ma },
  };
};
