import { SimulatorError } from '../http.ts';

/**
 * SG-Verify's server-to-server delivery of the authorisation code: `GET <callback>?code=…&state=…`.
 * Redirects are not followed (the status is reported as is) and a slow partner is cut off, so a
 * scan always answers; what the partner did with the code is its own affair.
 */
// Long enough for a partner that exchanges the code and fetches the person before answering.
const CALLBACK_TIMEOUT_MS = 10_000;

const callbackUrl = (callback: string, code: string, state: string): string => {
  const url = new URL(callback);
  url.searchParams.set('code', code);
  url.searchParams.set('state', state);
  return url.toString();
};

/** Returns the HTTP status the partner answered; throws a 502 when it could not be reached in time. */
export const deliverCode = async (callback: string, code: string, state: string): Promise<number> => {
  let response: Response;
  try {
    response = await fetch(callbackUrl(callback, code, state), {
      redirect: 'manual',
      signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
    });
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? 'did not answer in time'
        : 'could not be reached';
    throw new SimulatorError(502, `the partner's callback ${reason}`);
  }
  await response.body?.cancel();
  return response.status;
};
