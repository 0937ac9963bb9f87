import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { BadRequestError } from './errors.ts';

// Codes and states are opaque to us, but anything beyond this is not something an upstream issued.
const OPAQUE_VALUE = /^[A-Za-z0-9._~+/=-]{1,512}$/;

/** One query parameter that must appear exactly once, with a plausible opaque value. */
export const requiredQueryParam = (event: APIGatewayProxyEvent, name: string): string => {
  const values = event.multiValueQueryStringParameters?.[name] ?? [];
  if (values.length === 0 || values[0] === '') {
    throw new BadRequestError('missing_parameter', `The query parameter "${name}" is required.`);
  }
  if (values.length > 1) {
    throw new BadRequestError('repeated_parameter', `The query parameter "${name}" must appear once.`);
  }
  const [value] = values;
  if (value === undefined || !OPAQUE_VALUE.test(value)) {
    throw new BadRequestError('invalid_parameter', `The query parameter "${name}" is malformed.`);
  }
  return value;
};

/** The JSON body, validated; anything else is a 400 that names no value from the body. */
export const jsonBody = <T>(event: APIGatewayProxyEvent, schema: z.ZodMiniType<T>): T => {
  const raw =
    event.isBase64Encoded && event.body ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw ?? '');
  } catch {
    throw new BadRequestError('invalid_body', 'The request body must be JSON.');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    const fields = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || 'body'))];
    throw new BadRequestError('invalid_body', `The request body is invalid at: ${fields.join(', ')}.`);
  }
  return result.data;
};

/** An opaque code or state in a JSON body, held to the same shape as in a query string. */
export const opaqueValue = () => z.string().check(z.regex(OPAQUE_VALUE));
