import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger for every function. Callers log error codes, app ids and request
 * ids only: never query strings, bodies, tokens, codes, states or personal data.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'secpass' });
