import type { APIGatewayProxyEvent } from 'aws-lambda';
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
