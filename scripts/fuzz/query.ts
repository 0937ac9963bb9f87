import type { Route } from '../../infra/routes.ts';
import { CPFHUB_SCOPES } from '../../shared/apps/cpfhub-scopes.ts';
import { hostileText, opaqueLike, PROTOTYPE_NAMES } from './nasty.ts';
import type { Random } from './random.ts';
import { encodedComponent } from './wire.ts';

/** The parameters each route reads; the rest of a query is noise it must ignore or refuse. */
const PARAMETERS_READ: Readonly<Record<string, readonly string[]>> = {
  '/myinfo/token': ['code', 'state'],
  '/myinfobiz/token': ['code', 'state'],
  '/sgverify/callback': ['code', 'state'],
  '/sgverify/result': ['state'],
  '/cpfhub/oauth/init': ['scope'],
  '/cpfhub/oauth/token': ['code', 'state'],
  '/cpfhub/{proxy+}': ['year', 'month'],
  '/cpfhub/user/{proxy+}': ['year', 'month'],
};

/** A value that could pass: the right shape, the wrong content. */
const plausibleValue = (random: Random, name: string): string => {
  switch (name) {
    case 'scope':
      return random
        .pick([[...CPFHUB_SCOPES], [random.pick(CPFHUB_SCOPES)], ['openid', 'cpf_contribution:read']])
        .join(' ');
    case 'year':
      return String(random.between(2010, 2030));
    case 'month':
      return String(random.between(0, 13));
    default:
      return opaqueLike(random);
  }
};

/** Escapes left raw: URLSearchParams forgives them, a strict decoder does not. */
const RAW_VALUES = ['%zz', '%E0%A4%A', '%', '+', '%2B', '%00', '%C0%AF', '%26', '%3D'] as const;

const valueFor = (random: Random, name: string): string =>
  random.weighted<() => string>([
    [6, () => encodedComponent(plausibleValue(random, name))],
    [4, () => encodedComponent(hostileText(random))],
    [1, () => random.pick(RAW_VALUES)],
    [1, () => ''],
  ])();

const nameFor = (random: Random, read: readonly string[]): string =>
  random.weighted<() => string>([
    [read.length ? 8 : 0, () => random.pick(read)],
    [3, () => random.pick(PROTOTYPE_NAMES)],
    [
      1,
      () => `${random.pick(read.length ? read : ['code'])}${random.pick(['[]', '[0]', '[__proto__]', '.x'])}`,
    ],
    [2, () => encodedComponent(hostileText(random).slice(0, 100))],
    [1, () => random.pick(['', '%', '%zz', '&', '='])],
  ])();

const MAX_QUERY_LENGTH = 6_000;

/** The query string a case sends, without its `?`: often the route's own parameters, bent. */
export const queryFor = (random: Random, route: Route): string => {
  const read = PARAMETERS_READ[route.path] ?? [];
  if (random.chance(read.length ? 0.1 : 0.6)) return '';
  const pairs: string[] = [];
  // Each parameter the route reads, mostly once, sometimes twice or never.
  for (const name of read) {
    const times = random.weighted([
      [8, 1],
      [1, 0],
      [1, 2],
    ]);
    for (let i = 0; i < times; i += 1) pairs.push(`${name}=${valueFor(random, name)}`);
  }
  const extras = random.weighted([
    [5, 0],
    [3, 1],
    [2, random.between(2, 12)],
  ]);
  for (let i = 0; i < extras; i += 1) {
    const name = nameFor(random, read);
    pairs.push(random.chance(0.1) ? name : `${name}=${valueFor(random, name)}`);
  }
  const order = random.chance(0.3) ? random.shuffled(pairs) : pairs;
  const separator = random.weighted([
    [12, '&'],
    [1, '&&'],
    [1, ';'],
  ]);
  return order.join(separator).slice(0, MAX_QUERY_LENGTH);
};
