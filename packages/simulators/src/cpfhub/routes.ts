import type { IncomingMessage } from 'node:http';
import { CpfhubError } from './errors.ts';

/** Exact paths only, each with the methods it takes: anything else is a JSON 404 or 405. */
export const notFound = (path: string) => new CpfhubError(404, 'not_found', `no such resource: ${path}`);

export const expectMethod = <M extends string>(
  req: IncomingMessage,
  path: string,
  methods: readonly M[],
): M => {
  const method = methods.find((m) => m === req.method);
  if (!method) {
    throw new CpfhubError(405, 'method_not_allowed', `${path} accepts ${methods.join(', ')} only`, {
      Allow: methods.join(', '),
    });
  }
  return method;
};
