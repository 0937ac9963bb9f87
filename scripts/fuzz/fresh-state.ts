import type { FuzzCase } from './cases.ts';
import type { FuzzApp } from './headers.ts';

/**
 * A real, unused state for a case that consumes one: random states stop at "no such state", a real
 * one takes the handler on to the upstream with the case's made-up code, where the error paths
 * are. It is asked for the way an app would, from the matching init route, over loopback.
 */
export const FRESH_STATE = 'FUZZ-FRESH-STATE';

interface StateSource {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

const SOURCES: Readonly<Record<string, StateSource>> = {
  '/myinfo/token': { method: 'GET', path: '/myinfo/init' },
  '/myinfobiz/token': { method: 'GET', path: '/myinfobiz/init' },
  '/cpfhub/oauth/token': { method: 'GET', path: '/cpfhub/oauth/init?scope=cpf_contribution%3Aread' },
  '/oidc/singpass/userInfo': {
    method: 'POST',
    path: '/oidc/singpass/authReqUri',
    body: '{"purpose":"login"}',
  },
  '/sgverify/result': { method: 'POST', path: '/sgverify/qr', body: '{"qrType":"dynamic"}' },
  '/sgverify/callback': { method: 'POST', path: '/sgverify/qr', body: '{"qrType":"dynamic"}' },
};

export const consumesState = (routePath: string): boolean => routePath in SOURCES;

const stateIn = (text: string): string | undefined => {
  const fromUrl = /[?&]state=([^&"\s]+)/.exec(text)?.[1];
  if (fromUrl) return decodeURIComponent(fromUrl);
  const fromJson = /"state":"([^"]+)"/.exec(text)?.[1];
  return fromJson;
};

/** A fresh state of `app` for the route, or undefined when its init gave none (a FAPI app's PAR). */
export const freshState = async (
  gatewayUrl: string,
  routePath: string,
  app: FuzzApp,
): Promise<string | undefined> => {
  const source = SOURCES[routePath];
  if (!source) return undefined;
  try {
    const response = await fetch(`${gatewayUrl}${source.path}`, {
      method: source.method,
      headers: { Authorization: `Basic ${app.apiKey}`, 'Content-Type': 'application/json' },
      body: source.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    return stateIn(`${response.headers.get('location') ?? ''} ${await response.text()}`);
  } catch {
    return undefined;
  }
};

/** The app whose real key the case's Authorization header carries, if any. */
export const appOfKey = (headers: readonly (readonly [string, string])[], apps: readonly FuzzApp[]) =>
  apps.find((app) =>
    headers.some(([name, value]) => name.toLowerCase() === 'authorization' && value.includes(app.apiKey)),
  );

/** The case with FRESH_STATE replaced by a real state (or, when none came, a value no store holds). */
export const withFreshState = async (
  fuzzCase: FuzzCase,
  gatewayUrl: string,
  apps: readonly FuzzApp[],
): Promise<FuzzCase> => {
  const { freshStateOf } = fuzzCase;
  if (freshStateOf === undefined) return fuzzCase;
  const owner = freshStateOf === 'own' ? (appOfKey(fuzzCase.headers, apps) ?? apps[0]) : apps[freshStateOf];
  const state =
    (owner && (await freshState(gatewayUrl, fuzzCase.route.path, owner))) ??
    `no-fresh-state-${fuzzCase.index}`;
  return {
    ...fuzzCase,
    query: fuzzCase.query.replaceAll(FRESH_STATE, encodeURIComponent(state)),
    body: fuzzCase.body && Buffer.from(fuzzCase.body.toString('utf8').replaceAll(FRESH_STATE, state)),
  };
};
