import { DEFAULT_APP_THROTTLE } from '../shared/adapters/admin/usage-plan.ts';
import { ROUTES, STAGE_NAME } from './routes.ts';

/**
 * How much traffic WAF lets each client address send, per route kind, in WAF's five-minute
 * window. WAF only has to stop floods here: apps are throttled per app by their usage plans, and
 * each function by its reserved concurrency, so no limit may be below what a legitimate caller
 * sends from one address.
 */
const WINDOW_SECONDS = 300;
const perWindow = (requestsPerSecond: number) => requestsPerSecond * WINDOW_SECONDS;

export const RATE_LIMITS = {
  /**
   * Private (API-key) routes, and any path no route declares. One app's usage plan allows 50
   * requests/s, and an app's servers, or several apps hosted together, often leave through one
   * NAT address: twice a plan's rate (30,000 per 5 minutes) lets two apps at full rate through
   * while keeping one address to half the stage's 200 requests/s. It also caps a flood of made-up
   * keys, which API Gateway cannot answer from the authorizer's cache.
   */
  privateRoutes: perWindow(2 * DEFAULT_APP_THROTTLE.rateLimit),
  /**
   * The public JWKS routes. Readers cache them (Cache-Control 300 s; jose refetches at most every
   * 30 s per process) and Singpass caches ours for up to an hour: 100 verifying processes behind
   * one address refetching every 30 s make 1,000 requests per window. 10/s (3,000) leaves room
   * for three times that, and stops a scraper long before the function's ceiling matters.
   */
  publicKeys: perWindow(10),
  /**
   * SG-Verify's callback. Every kiosk's scans reach us from SG-Verify's few addresses, so a
   * per-address limit is a limit on the whole deployment's SG-Verify traffic: it must sit above
   * what sgverify-callback can serve anyway (its reserved concurrency, at about one callback per
   * second each: 20/s by default), so that the function's own ceiling, never WAF, is what a busy
   * day meets; 50/s (15,000) leaves room for a raised ceiling.
   */
  sgverifyCallback: perWindow(50),
} as const;

/**
 * WAF sees the path as sent: `/v1/…` on the execute-api URL and on the custom domain, whose base
 * path is the stage. The stage is optional in the patterns so that a domain mapped at its root
 * would match too; a path no route declares is refused by API Gateway whatever WAF makes of it.
 */
const STAGE_PREFIX = `(?:/${STAGE_NAME})?`;
const escaped = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathPattern = (paths: readonly string[]): string =>
  `^${STAGE_PREFIX}(?:${paths.map(escaped).join('|')})$`;

const publicPaths = (fn: string) =>
  ROUTES.filter((route) => route.auth === 'public' && route.function === fn).map((route) => route.path);

/** Regular expressions (WAF's syntax) for the request paths each scoped rule counts. */
export const PATH_PATTERNS = {
  publicKeys: pathPattern(publicPaths('jwks')),
  sgverifyCallback: pathPattern(publicPaths('sgverify-callback')),
  /** The one route that takes bodies above the common rule set's 8 KB: ours caps it at 256 KB. */
  cpfhubProxy: `^${STAGE_PREFIX}/cpfhub/`,
} as const;

/** WAF's refusals in the API's `{ error, message }` format. */
export const FIREWALL_ANSWERS = {
  request_blocked: {
    statusCode: 403,
    body: { error: 'request_blocked', message: 'The request was refused by our firewall.' },
  },
  rate_limited: {
    statusCode: 429,
    body: { error: 'rate_limited', message: 'Too many requests from this address. Slow down and try again.' },
  },
  // The same answer the CPFHub proxy gives past its own limit.
  body_too_large: {
    statusCode: 413,
    body: { error: 'body_too_large', message: 'The request body is too large.' },
  },
} as const;
export type FirewallAnswer = keyof typeof FIREWALL_ANSWERS;
