import type { FunctionName } from './routes.ts';

/**
 * Each function's reserved concurrency: a ceiling, so a flood on one route (a public one above
 * all) cannot take the account's whole pool, and a floor no other function of the account can
 * take from it. Reservations come out of the account's pool (usually 1,000; Lambda keeps at least
 * 100 unreserved), so the defaults reserve 330. `-c reservedConcurrency.<function>=<n>` changes one.
 *
 * The stage lets through 200 requests/s (400 burst); a function's need is that rate times how
 * long it takes:
 */
export const DEFAULT_RESERVED_CONCURRENCY: Record<FunctionName, number> = {
  // One GetItem (~20 ms) and only on a cache miss: API Gateway keeps its answer 5 minutes per key.
  authorizer: 50,
  // A PutItem, plus a pushed authorisation request (~0.3 s) under FAPI 2.0: 150+ starts/s.
  'authorise-init': 50,
  // One upstream token call (~0.5 s): about 100 logins/s.
  'token-exchange': 50,
  // Token, then person data, each an upstream round trip (~1–2 s in all): 50–100 fetches/s.
  'person-fetch': 100,
  // Public, called from SG-Verify's few addresses; ~1 s each, so ~20 callbacks/s, far above a
  // kiosk fleet's scan rate, and all a forged-callback flood can ever hold.
  'sgverify-callback': 20,
  // One CPFHub round trip (~0.5 s): about 100 calls/s.
  'cpfhub-proxy': 50,
  // Public, answers from memory in milliseconds and is cached by its readers: 10 serve thousands/s.
  jwks: 10,
};

/** The defaults with the deployment's own choices over them. */
export const reservedConcurrencyOf = (
  overrides: Partial<Record<FunctionName, number>> = {},
): Record<FunctionName, number> => {
  const chosen = { ...DEFAULT_RESERVED_CONCURRENCY, ...overrides };
  for (const [name, value] of Object.entries(chosen)) {
    // 0 would stop the function altogether; that is no ceiling but an outage.
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`reserved concurrency of ${name} must be a whole number of at least 1, got ${value}`);
    }
  }
  return chosen;
};
