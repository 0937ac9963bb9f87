import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CpfhubContext } from './context.ts';
import { CONTRIBUTIONS_PATH, handleGetContributions, handlePostContributions } from './contributions.ts';
import { CpfhubError } from './errors.ts';
import { expectMethod, notFound } from './routes.ts';
import { handleGetStatements, STATEMENTS_PATH } from './statements.ts';

/**
 * Everything under /v1 passes the test controls first, in the order a gateway in front of the
 * real API would apply them: the call is counted and rate-limited on arrival, then answered late
 * if a delay is set, then answered with the configured fault instead of the real answer.
 */
export const API_PREFIX = '/v1';

export const isApiPath = (path: string): boolean => path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);

const route = async (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: string,
) => {
  if (path === CONTRIBUTIONS_PATH) {
    const method = expectMethod(req, path, ['GET', 'POST']);
    return method === 'GET'
      ? handleGetContributions(ctx, req, res, query)
      : handlePostContributions(ctx, req, res, query);
  }
  if (path === STATEMENTS_PATH) {
    expectMethod(req, path, ['GET']);
    return handleGetStatements(ctx, req, res, query);
  }
  throw notFound(path);
};

/** Resolves false when the simulator stopped during the delay; the connection is gone by then. */
const waited = async (ms: number, stopping: AbortSignal): Promise<boolean> => {
  if (ms <= 0) return true;
  try {
    await sleep(ms, undefined, { signal: stopping });
    return true;
  } catch {
    return false;
  }
};

export const handleApi = async (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: { path: string; query: string },
  stopping: AbortSignal,
): Promise<void> => {
  const { controls } = ctx;
  controls.stats.apiCalls++;
  const decision = controls.window?.take() ?? { allowed: true };
  if (!(await waited(controls.delayMs, stopping))) {
    res.destroy();
    return;
  }
  if (!decision.allowed) {
    throw new CpfhubError(429, 'rate_limited', 'too many requests; retry when the window ends', {
      'Retry-After': String(decision.retryAfterSeconds),
    });
  }
  const { fault } = controls;
  if (fault) {
    res.writeHead(fault.status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(fault.body);
    return;
  }
  await route(ctx, req, res, target.path, target.query);
};
