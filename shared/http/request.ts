import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { InvalidInput } from '../core/errors.ts';

// Codes and states are opaque to us, but anything beyond this is not something an upstream issued.
const OPAQUE_VALUE = /^[A-Za-z0-9._~+/=-]{1,512}$/;

/**
 * What the request sent under this name, and nothing else: `params.constructor` on a map parsed
 * from API Gateway's JSON would otherwise be Object's constructor when no such parameter was sent.
 */
const sentValues = (
  params: Record<string, string[] | undefined> | null | undefined,
  name: string,
): readonly unknown[] => {
  const values: unknown = params && Object.hasOwn(params, name) ? params[name] : undefined;
  return Array.isArray(values) ? values : [];
};

/** One query parameter that must appear exactly once, with a plausible opaque value (or `shape`). */
export const requiredQueryParam = (
  event: APIGatewayProxyEvent,
  name: string,
  shape: RegExp = OPAQUE_VALUE,
): string => {
  const values = sentValues(event.multiValueQueryStringParameters, name);
  if (values.length === 0 || values[0] === '') {
    throw new InvalidInput('missing_parameter', `The query parameter "${name}" is required.`);
  }
  if (values.length > 1) {
    throw new InvalidInput('repeated_parameter', `The query parameter "${name}" must appear once.`);
  }
  const [value] = values;
  if (typeof value !== 'string' || !shape.test(value)) {
    throw new InvalidInput('invalid_parameter', `The query parameter "${name}" is malformed.`);
  }
  return value;
};

/** The JSON body, validated; anything else is a 400 that names no value from the body. */
export const jsonBody = <T>(event: APIGatewayProxyEvent, schema: z.ZodMiniType<T>): T => {
  const raw = bodyText(event);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '');
  } catch {
    throw new InvalidInput('invalid_body', 'The request body must be JSON.');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || 'body'))];
    throw new InvalidInput('invalid_body', `The request body is invalid at: ${fields.join(', ')}.`);
  }
  return result.data;
};

/** An opaque code or state in a JSON body, held to the same shape as in a query string. */
export const opaqueValue = () => z.string().check(z.regex(OPAQUE_VALUE));

/** One request header, by name in any case, that must appear exactly once with an opaque value. */
export const requiredHeader = (event: APIGatewayProxyEvent, name: string): string => {
  const wanted = name.toLowerCase();
  const values = Object.entries(event.multiValueHeaders ?? {})
    .filter(([header]) => header.toLowerCase() === wanted)
    .flatMap(([, list]) => list ?? []);
  if (values.length === 0 || values[0] === '') {
    throw new InvalidInput('missing_header', `The header "${name}" is required.`);
  }
  if (values.length > 1) {
    throw new InvalidInput('repeated_header', `The header "${name}" must appear once.`);
  }
  const [value] = values;
  if (value === undefined || !OPAQUE_VALUE.test(value)) {
    throw new InvalidInput('invalid_header', `The header "${name}" is malformed.`);
  }
  return value;
};

/** The raw body text, whichever way API Gateway passed it. */
/** What `/cpfhub/{proxy+}` forwards, read from the event: the domain never sees the event itself. */
export const forwardRequestOf = (event: APIGatewayProxyEvent) => ({
  method: event.httpMethod,
  path: event.pathParameters?.proxy ?? '',
  query: event.multiValueQueryStringParameters ?? {},
  contentType: Object.entries(event.headers ?? {}).find(
    ([name]) => name.toLowerCase() === 'content-type',
  )?.[1],
  body: bodyText(event) ?? undefined,
});

export const bodyText = (event: APIGatewayProxyEvent): string | null =>
  event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
