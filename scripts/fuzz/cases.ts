import { ROUTES, type Route } from '../../infra/routes.ts';
import { bodyFor } from './bodies.ts';
import { consumesState, FRESH_STATE } from './fresh-state.ts';
import { contentType, type FuzzApp, type Header, headersFor } from './headers.ts';
import { opaqueLike } from './nasty.ts';
import { pathFor } from './paths.ts';
import { queryFor } from './query.ts';
import { caseSeed, type Random, randomFrom } from './random.ts';
import { savedBody } from './saved-events.ts';

/** Through the local gateway over HTTP, or straight into the handlers with a built event. */
export type Via = 'gateway' | 'handlers';

/** One request the fuzzer sends: everything in it follows from the run's seed and its index. */
export interface FuzzCase {
  index: number;
  via: Via;
  /** The route the case was made for; a bent path or method may miss it. */
  route: Route;
  method: string;
  /** As on the wire: percent-encoded, and possibly not decodable. */
  path: string;
  /** As on the wire, without its `?`; empty for none. */
  query: string;
  headers: Header[];
  body: Buffer | null;
  /**
   * Handlers only: an app id put in the authorizer's context whatever the authorizer said (the
   * handler must not trust it alone); undefined honours the authorizer's verdict.
   */
  forgedAppId?: string;
  /** Handlers only: the body base64-encoded, as API Gateway passes a binary media type. */
  base64Body: boolean;
  /**
   * Whose fresh state replaces FRESH_STATE in the query and body before sending: mostly the app
   * whose key the case carries (`own`), sometimes another (an index into the run's apps).
   */
  freshStateOf?: 'own' | number;
}

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

const methodFor = (random: Random, route: Route): string => {
  if (route.method === 'ANY') {
    return random.weighted([
      [5, 'GET'],
      [4, 'POST'],
      [1, random.pick(OTHER_METHODS)],
    ]);
  }
  return random.chance(0.92) ? route.method : random.pick(OTHER_METHODS);
};

/**
 * Only ids our authorizer could have put in its context (another app's, or one of the right shape
 * that no app has): API Gateway passes the authorizer's context and nothing a caller sends.
 */
const forgedAppIdFor = (random: Random, apps: readonly FuzzApp[]): string | undefined =>
  random.weighted<() => string | undefined>([
    [12, () => undefined],
    [2, () => random.pick(apps).appId],
    [1, () => `app_${random.text(32, '0123456789abcdef')}`],
  ])();

/** Puts the placeholder where the route reads its state: the query, or userInfo's JSON body. */
const withStatePlaceholder = (random: Random, route: Route, query: string, body: Buffer | null) => {
  if (route.path === '/oidc/singpass/userInfo') {
    const json = JSON.stringify({ authCode: opaqueLike(random), state: FRESH_STATE });
    return { query, body: Buffer.from(json) };
  }
  const pairs = query ? query.split('&').filter((pair) => !pair.startsWith('state=')) : [];
  const at = random.below(pairs.length + 1);
  pairs.splice(at, 0, `state=${FRESH_STATE}`);
  return { query: pairs.join('&'), body };
};

/**
 * Case `index` of a run: routes in turn, so every route gets its share; each route's cases
 * alternate between the gateway and the handlers.
 */
export const fuzzCase = (runSeed: number, index: number, apps: readonly FuzzApp[]): FuzzCase => {
  const random = randomFrom(caseSeed(runSeed, index));
  const route = ROUTES[index % ROUTES.length] as Route;
  const via: Via = Math.floor(index / ROUTES.length) % 2 === 0 ? 'gateway' : 'handlers';
  const method = methodFor(random, route);
  const path = pathFor(random, route);
  let query = queryFor(random, route);
  let body = bodyFor(random, method, savedBody(route));
  const freshStateOf =
    consumesState(route.path) && random.chance(0.35)
      ? random.weighted<'own' | number>([
          [4, 'own'],
          [1, random.below(apps.length)],
        ])
      : undefined;
  if (freshStateOf !== undefined) ({ query, body } = withStatePlaceholder(random, route, query, body));
  const type = body || random.chance(0.1) ? contentType(random) : undefined;
  const headers = headersFor(random, route, apps, type);
  return {
    index,
    via,
    route,
    method,
    path,
    query,
    headers,
    body,
    forgedAppId: via === 'handlers' && route.auth === 'apiKey' ? forgedAppIdFor(random, apps) : undefined,
    base64Body: via === 'handlers' && body !== null && random.chance(0.1),
    freshStateOf,
  };
};
