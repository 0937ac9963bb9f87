import type { AccountAmounts } from './employees.ts';

/** Amounts are kept in whole cents so sums never drift; answers show dollars with cents. */
export const toCents = (dollars: number): number => Math.round(dollars * 100);

export const toDollars = (cents: number): number => cents / 100;

/** True for a finite, non-negative amount with at most two decimals. */
export const isAmount = (value: unknown): value is number =>
  typeof value === 'number' &&
  Number.isFinite(value) &&
  value >= 0 &&
  value <= 10_000_000 &&
  Math.abs(value * 100 - Math.round(value * 100)) < 1e-6;

/** `amount × rate` where the rate is in hundredths of a percent (17% = 1700), rounded half up. */
export const percentOf = (cents: number, basisPoints: number): number =>
  Math.round((cents * basisPoints) / 10_000);

export const accountsInDollars = (cents: AccountAmounts): AccountAmounts => ({
  oa: toDollars(cents.oa),
  sa: toDollars(cents.sa),
  ma: toDollars(cents.ma),
});

export const addAccounts = (a: AccountAmounts, b: AccountAmounts): AccountAmounts => ({
  oa: a.oa + b.oa,
  sa: a.sa + b.sa,
  ma: a.ma + b.ma,
});

export const NO_AMOUNTS: AccountAmounts = { oa: 0, sa: 0, ma: 0 };
