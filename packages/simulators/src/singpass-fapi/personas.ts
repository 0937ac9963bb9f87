import { createRequire } from 'node:module';

/**
 * The people the FAPI issuer can log in: MockPass's Myinfo personas, so a NRIC means the same
 * person here as in the legacy flows. Myinfo v5 keeps v3's attribute names and nested
 * `{ value, source, classification, lastupdated }` shape, so the records serve as they are.
 */
export type Persona = Readonly<Record<string, unknown>>;

const { personas } = createRequire(import.meta.url)('@opengovsg/mockpass/static/myinfo/v3.json') as {
  personas: Record<string, Persona | undefined>;
};

export const personaOf = (nric: string): Persona | undefined => personas[nric];

export const isKnownPerson = (nric: string): boolean => personaOf(nric) !== undefined;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A Myinfo `{ value }` item's value as text; absent when the persona has none (Myinfo sends ""). */
export const textOf = (item: unknown): string | undefined => {
  const value = isRecord(item) ? item.value : undefined;
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** The persona's own Singpass uuid, which the subject is unless the login names another. */
export const uuidOf = (nric: string): string | undefined => textOf(personaOf(nric)?.uuid);

/** The persona's Singapore mobile number without its country code, as Singpass Login gives it. */
export const mobileNumberOf = (persona: Persona): string | undefined => {
  const mobile = persona.mobileno;
  return isRecord(mobile) ? textOf(mobile.nbr) : undefined;
};
