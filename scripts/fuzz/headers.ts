import type { Route } from '../../infra/routes.ts';
import { BASE64URL, headerSafe, hostileText, opaqueLike, PROTOTYPE_NAMES, uuidLike } from './nasty.ts';
import type { Random } from './random.ts';

/** An app as the fuzzer knows it: its real key, and the id the authorizer names for it. */
export interface FuzzApp {
  appId: string;
  apiKey: string;
}

export type Header = readonly [name: string, value: string];

const TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** Real keys mostly, so handlers run; forged, bent and foreign ones to try the authorizer. */
const authorization = (random: Random, apps: readonly FuzzApp[]): string | undefined => {
  const { apiKey } = random.pick(apps);
  return random.weighted<() => string | undefined>([
    [14, () => `Basic ${apiKey}`],
    [3, () => undefined],
    [1, () => `basic ${apiKey}`],
    [1, () => ` Basic  ${apiKey} `],
    [1, () => `Bearer ${apiKey}`],
    [1, () => apiKey],
    [2, () => `Basic spk_${random.text(43, BASE64URL)}`],
    [1, () => `Basic ${apiKey.slice(0, -1)}`],
    [1, () => `Basic ${apiKey}${random.pick(['x', '=', '\t', ',', ' x'])}`],
    [1, () => `Basic ${Buffer.from(`${apiKey}:`).toString('base64')}`],
    [1, () => 'Basic '],
    [2, () => `Basic ${hostileText(random)}`],
  ])();
};

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'APPLICATION/JSON',
  'application/json;charset=utf-16',
  'application/json, text/plain',
  'application/jsonx',
  'text/plain',
  'text/html',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----x',
  'application/octet-stream',
  '',
  ';',
  'application/',
] as const;

export const contentType = (random: Random): string | undefined =>
  random.weighted<() => string | undefined>([
    [10, () => 'application/json'],
    [6, () => random.pick(CONTENT_TYPES)],
    [2, () => undefined],
    [1, () => hostileText(random)],
  ])();

/** The routes that read X-Secpass-Grant. */
const READS_GRANT = new Set(['/cpfhub/user/{proxy+}', '/cpfhub/oauth/grant']);

const grantValue = (random: Random): string =>
  random.weighted<() => string>([
    [4, () => uuidLike(random)],
    [3, () => opaqueLike(random)],
    [3, () => hostileText(random)],
  ])();

const headerName = (random: Random): string =>
  random.weighted<() => string>([
    [4, () => random.pick(PROTOTYPE_NAMES)],
    [2, () => random.text(random.between(1, 30), TOKEN_CHARS)],
    [1, () => random.pick(['X-Amzn-Trace-Id', 'X-Forwarded-For', 'Cookie', 'Origin', 'X-Api-Key', 'Accept'])],
  ])();

/**
 * The headers a case sends, in order, repeats allowed. Values are what a header can carry on the
 * wire; Host, Content-Length, Connection and Transfer-Encoding are the HTTP client's to set, bar
 * an occasional odd Host.
 */
export const headersFor = (
  random: Random,
  route: Route,
  apps: readonly FuzzApp[],
  bodyType: string | undefined,
): Header[] => {
  const headers: Header[] = [];
  const add = (name: string, value: string) => headers.push([name, headerSafe(value)]);
  const key = authorization(random, apps);
  if (key !== undefined) add(random.chance(0.9) ? 'Authorization' : 'authorization', key);
  if (key !== undefined && random.chance(0.04)) add('Authorization', authorization(random, apps) ?? '');
  if (bodyType !== undefined) add(random.chance(0.9) ? 'Content-Type' : 'content-type', bodyType);
  if (random.chance(READS_GRANT.has(route.path) ? 0.8 : 0.05)) {
    add('X-Secpass-Grant', grantValue(random));
    if (random.chance(0.1)) add(random.pick(['X-Secpass-Grant', 'x-secpass-grant']), grantValue(random));
  }
  if (random.chance(0.3)) {
    add('X-Correlation-Id', random.chance(0.5) ? uuidLike(random) : hostileText(random).slice(0, 200));
  }
  const extras = random.weighted([
    [6, 0],
    [3, 1],
    [1, random.between(2, 8)],
  ]);
  for (let i = 0; i < extras; i += 1) add(headerName(random), hostileText(random).slice(0, 500));
  if (random.chance(0.03)) add('Host', random.pick(['a b', 'x:y:z', '[::1', 'é', '', hostileText(random)]));
  return random.chance(0.2) ? random.shuffled(headers) : headers;
};
