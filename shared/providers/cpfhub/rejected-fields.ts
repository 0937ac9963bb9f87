/**
 * Which input fields CPFHub said it rejected, so an app can fix its call without asking us. CPFHub
 * answers a bad input with OAuth's error shape, `{ "error": "invalid_request", "error_description":
 * "<sentence>" }`, whose sentence may quote what the app sent (an employee id, an amount, a
 * parameter name of its own making). So nothing of CPFHub's text is passed on: only the names,
 * from the allow-listed calls' own inputs, that the sentence (or a structured `errors[].field`
 * list, should CPFHub send one) mentions.
 */

/** The inputs of the calls in allow-list.ts: `?year=&month=`, and POST contributions' body. */
const TOP_LEVEL_FIELDS = ['year', 'month', 'contributions'] as const;
const LINE_FIELDS = ['employeeId', 'ordinaryWages', 'additionalWages'] as const;

/** `year`, `contributions`, `contributions[3]`, `contributions[3].employeeId`; indexes are positions, not values. */
const FIELD = new RegExp(
  `(?<![\\w.\\[])(${TOP_LEVEL_FIELDS.join('|')})(?:\\[(\\d{1,4})\\](?:\\.(${LINE_FIELDS.join('|')}))?)?(?![\\w\\[])`,
  'g',
);

/** A long list helps nobody and could echo a whole payroll's positions. */
const MAX_FIELDS = 10;

const fieldsIn = (text: string): string[] =>
  [...text.matchAll(FIELD)]
    .filter(([, name, index]) => index === undefined || name === 'contributions')
    .map(([whole]) => whole);

const textsOf = (body: unknown): string[] => {
  if (typeof body !== 'object' || body === null) return [];
  const { error_description, message, errors } = body as Record<string, unknown>;
  const listed = Array.isArray(errors)
    ? errors.flatMap((entry: unknown) =>
        typeof entry === 'object' && entry !== null ? [(entry as Record<string, unknown>).field] : [],
      )
    : [];
  return [error_description, message, ...listed].filter((text): text is string => typeof text === 'string');
};

/** The rejected fields CPFHub's answer names, in order, each once; none when it names none we know. */
export const rejectedFieldsOf = (responseBody: string): string[] => {
  let body: unknown;
  try {
    body = JSON.parse(responseBody);
  } catch {
    return [];
  }
  return [...new Set(textsOf(body).flatMap(fieldsIn))].slice(0, MAX_FIELDS);
};

/** The app's sentence: which fields, when CPFHub named some. */
export const rejectionMessage = (fields: readonly string[]): string =>
  fields.length === 0
    ? 'CPFHub refused the request as invalid; check its parameters and body.'
    : `CPFHub refused the request as invalid; it rejected ${fields.join(', ')}.`;
