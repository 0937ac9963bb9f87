/**
 * The origins of the local API Gateway emulators running in this process, so that a test harness
 * (the contract check in test/contract) can tell the broker's answers from an upstream simulator's.
 * Kept on globalThis under a registered symbol: a module loaded twice (through two loaders) must
 * still share one list.
 */
const REGISTRY = Symbol.for('secpass.local.gatewayOrigins');

type Holder = { [REGISTRY]?: Set<string> };

const origins = (): Set<string> => {
  const holder = globalThis as Holder;
  holder[REGISTRY] ??= new Set<string>();
  return holder[REGISTRY];
};

const originOf = (url: string | URL): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/** Called once a gateway listens; its URL is an origin (the emulator serves the API at its root). */
export const registerGateway = (url: string): void => {
  const origin = originOf(url);
  if (origin) origins().add(origin);
};

/** Whether a request to `url` is answered by a registered gateway. */
export const isGatewayUrl = (url: string | URL): boolean => {
  const origin = originOf(url);
  return origin !== undefined && origins().has(origin);
};
