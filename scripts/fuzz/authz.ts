import { apiKeyFromAuthorization } from '../../shared/apps/api-key.ts';
import type { FuzzCase } from './cases.ts';
import type { FuzzApp } from './headers.ts';
import type { Outcome } from './outcome.ts';

/**
 * A private route that serves (2xx or a redirect) a case that presented no real app's key, or,
 * straight into a handler, a forged authorizer context naming an app whose key it did not
 * present: the handler trusted what it must check. Judged leniently (any Authorization header
 * carrying a real key counts), so that only a true breach is reported.
 */
export const authzBreach = (
  fuzzCase: FuzzCase,
  outcome: Outcome,
  apps: readonly FuzzApp[],
): string | undefined => {
  if (fuzzCase.route.auth !== 'apiKey' || outcome.kind !== 'answered') return undefined;
  const { status } = outcome.answer;
  if (status < 200 || status > 399) return undefined;
  const presented = apps.filter((app) =>
    fuzzCase.headers.some(
      ([name, value]) =>
        name.toLowerCase() === 'authorization' && apiKeyFromAuthorization(value) === app.apiKey,
    ),
  );
  if (presented.length === 0) return `${status} for a request with no valid API key`;
  const forged = fuzzCase.forgedAppId;
  if (forged !== undefined && !presented.some((app) => app.appId === forged)) {
    return `${status} for an authorizer context naming ${JSON.stringify(forged)}, whose key was not presented`;
  }
  return undefined;
};
