import type { Route } from '../../infra/routes.ts';
import { ALLOWED_CALLS } from '../../shared/providers/cpfhub/allow-list.ts';
import { hostileText, opaqueLike, PROTOTYPE_NAMES } from './nasty.ts';
import type { Random } from './random.ts';
import { encodedComponent, onTheWire } from './wire.ts';

/** Ways out of a `{proxy+}` path, encoded once, twice or oddly. */
const TRAVERSALS = [
  '../myinfo/init',
  '..%2Fmyinfo%2Finit',
  '%2e%2e/%2e%2e/etc/passwd',
  '%2E%2E%2F%2E%2E%2Foauth%2Fgrant',
  '%252e%252e%252fcontributions',
  '..%252f..%252fstatements',
  'contributions/..',
  'contributions/../statements',
  'contributions%2F..%2Fstatements',
  './contributions',
  '.%2fcontributions',
  'contributions/',
  'contributions//',
  '/contributions',
  'contributions%00',
  'contributions%00.json',
  'contributions%3Fyear=2025',
  'contributions%23x',
  'contributions;x=1',
  'CONTRIBUTIONS',
  '%63ontributions',
  '%2563ontributions',
  'user/contributions',
  'user/../contributions',
  'oauth/grant',
  '..\\..\\contributions',
  '....//contributions',
  '%c0%ae%c0%ae/contributions',
] as const;

/** Escapes that are not UTF-8 or not escapes at all: API Gateway's own 400. */
const BROKEN_ESCAPES = [
  '%',
  '%zz',
  '%E0%A4%A',
  '%C0%AF',
  '%ED%A0%80',
  '%FF%FE',
  'a%',
  '%%41',
  '%u0041',
] as const;

const randomSegments = (random: Random): string =>
  Array.from({ length: random.between(1, 6) }, () =>
    random.chance(0.5) ? opaqueLike(random) : encodedComponent(hostileText(random).slice(0, 200)),
  ).join('/');

const proxyTail = (random: Random): string =>
  random.weighted<() => string>([
    [8, () => random.pick(ALLOWED_CALLS).path],
    [5, () => random.pick(TRAVERSALS)],
    [2, () => `${random.pick(ALLOWED_CALLS).path}${random.pick(BROKEN_ESCAPES)}`],
    [2, () => random.pick(BROKEN_ESCAPES)],
    [2, () => encodedComponent(random.pick(PROTOTYPE_NAMES))],
    [3, () => randomSegments(random)],
    [1, () => 'a/'.repeat(random.between(50, 1_500))],
    [1, () => ''],
  ])();

/** A fixed path bent the ways routers disagree on. */
const bentPath = (random: Random, path: string): string =>
  random.pick<() => string>([
    () => `${path}/`,
    () => path.toUpperCase(),
    () => `/${path}`,
    () => path.replace(/\//g, '//'),
    () => path.replace(/[a-z]/, (letter) => `%${letter.charCodeAt(0).toString(16)}`),
    () => `${path}/..${path}`,
    () => `${path}/%2e%2e/myinfo/init`,
    () => `${path}${random.pick(BROKEN_ESCAPES)}`,
    () => `${path};jsessionid=${opaqueLike(random)}`,
    () => `${path}%00`,
    () => `${path}.json`,
    () => `${path}/${encodedComponent(random.pick(PROTOTYPE_NAMES))}`,
  ])();

/** The path a case sends, as it goes on the wire: the route's own mostly, bent or broken sometimes. */
export const pathFor = (random: Random, route: Route): string => {
  const greedy = route.path.indexOf('{');
  if (greedy >= 0) return onTheWire(`${route.path.slice(0, greedy)}${proxyTail(random)}`, '?#');
  return onTheWire(random.chance(0.85) ? route.path : bentPath(random, route.path), '?#');
};
