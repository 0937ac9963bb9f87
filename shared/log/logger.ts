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

/**
 * Children not in use. Making one builds a whole Logger (options, environment, a Console), which
 * cost more than the line it then writes; an invocation takes an idle one instead, and gives it
 * back with its keys reset. Only requests in flight at once need one each.
 */
const idle: Logger[] = [];

/** Runs one invocation with a logger of its own. */
export const inInvocationScope = async <T>(run: () => Promise<T>): Promise<T> => {
  const own = idle.pop() ?? root.createChild();
  try {
    return await perInvocation.run(own, run);
  } finally {
    own.resetKeys();
    idle.push(own);
  }
};
