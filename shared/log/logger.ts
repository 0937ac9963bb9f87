import { AsyncLocalStorage } from 'node:async_hooks';
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * One structured JSON logger for every function. Callers log error codes, app ids and request
 * ids only: never query strings, bodies, tokens, codes, states or personal data.
 *
 * Each invocation logs through its own child of the root logger, so the keys one request appends
 * (its function's name, request id, route) never reach another's lines. On Lambda a container
 * serves one request at a time; the local gateway runs every function in one process, with
 * requests interleaved.
 */
const root = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'secpass' });
const perInvocation = new AsyncLocalStorage<Logger>();

/** The current invocation's logger, or the root outside any. */
const current = (): Logger => perInvocation.getStore() ?? root;

export const logger: Logger = new Proxy(root, {
  get: (_target, property) => {
    const target = current();
    const value: unknown = Reflect.get(target, property, target);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});

/** Runs one invocation with a logger of its own. */
export const inInvocationScope = <T>(run: () => Promise<T>): Promise<T> =>
  perInvocation.run(root.createChild(), run);
