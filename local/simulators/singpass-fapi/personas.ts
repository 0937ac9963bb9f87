import { createRequire } from 'node:module';

/**
 * The people the FAPI issuer can log in: MockPass's Myinfo personas, so a NRIC means the same
 * person here as in the legacy flows. Myinfo v5 keeps v3's attribute names and nested
 * `{ value, source, classification, lastupdated }` shape, so the records serve as they are.
 */
type Attribute = Record<string, unknown>;
type Persona = Record<string, Attribute | undefined>;

const { personas } = createRequire(import.meta.url)('@opengovsg/mockpass/static/myinfo/v3.json') as {
  personas: Record<string, Persona | undefined>;
};

/** Every attribute any persona has: the scopes the issuer offers besides `openid`. */
export const MYINFO_SCOPES: readonly string[] = [
  ...new Set(Object.values(personas).flatMap((persona) => Object.keys(persona ?? {}))),
].filter((name) => name !== 'uuid');

export const isKnownPerson = (nric: string): boolean => personas[nric] !== undefined;

/** The persona's own Singpass uuid, which the subject is unless the login names another. */
export const uuidOf = (nric: string): string | undefined => {
  const value = personas[nric]?.uuid?.value;
  return typeof value === 'string' ? value : undefined;
};

/** The attributes asked for by `scope` that the person has, keyed as Myinfo v5's `person_info`. */
export const personInfo = (nric: string, scope: string): Record<string, Attribute> => {
  const persona = personas[nric] ?? {};
  const info: Record<string, Attribute> = {};
  for (const name of scope.split(' ')) {
    const attribute = MYINFO_SCOPES.includes(name) ? persona[name] : undefined;
    if (attribute) info[name] = attribute;
  }
  return info;
};
