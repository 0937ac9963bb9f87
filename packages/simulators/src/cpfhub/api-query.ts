import { uniqueParams } from '../http.ts';
import { invalidRequest } from './errors.ts';

/**
 * The API's query strings: exactly the parameters a call takes, each once. CPFHub keeps records
 * from 2015, so earlier years are refused rather than answered empty.
 */
export const FIRST_YEAR = 2015;

export const exactParams = <const N extends string>(
  query: string,
  names: readonly N[],
): Record<N, string> => {
  const params = uniqueParams(query);
  for (const name of params.keys()) {
    if (!(names as readonly string[]).includes(name)) throw invalidRequest(`unexpected parameter ${name}`);
  }
  const found: Partial<Record<N, string>> = {};
  for (const name of names) {
    const value = params.get(name);
    if (!value) throw invalidRequest(`${name} is required`);
    found[name] = value;
  }
  return found as Record<N, string>;
};

export const parseYear = (text: string): number => {
  if (!/^\d{4}$/.test(text)) throw invalidRequest('year must be a four-digit year');
  const year = Number(text);
  if (year < FIRST_YEAR) throw invalidRequest(`records start in ${FIRST_YEAR}`);
  return year;
};

export const parseMonth = (text: string): number => {
  if (!/^(?:0?[1-9]|1[0-2])$/.test(text)) throw invalidRequest('month must be 1 to 12');
  return Number(text);
};
