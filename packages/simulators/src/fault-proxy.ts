import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  checkFault,
  type Fault,
  type FaultScope,
  type ForgedAnswer,
  type Forgery,
  type ProxiedRequest,
} from './fault-proxy/faults.ts';
import { forward, passedOnHeaders, type UpstreamAnswer } from './fault-proxy/forward.ts';
import { madeUpGarbage, relabelled } from './fault-proxy/garbage.ts';
import { closeServer, listenOnLoopback } from './http.ts';

export {
  type Fault,
  type FaultScope,
  type ForgedAnswer,
  forwardsFirst,
  type GarbageShape,
  type ProxiedRequest,
} from './fault-proxy/faults.ts';

/**
 * An HTTP proxy in front of one upstream that misbehaves on demand: it passes requests through
 * until a test sets a fault, for every request or only some (by path, method, or the next few),
 * and counts what it saw. Point a provider's base URL at `url` and the broker's real code meets
 * the fault on the wire: resets, hangs, slow or dropped answers, 5xx, garbage, forgeries.
 */
export interface FaultProxyOptions {
  /** The upstream's origin, e.g. http://127.0.0.1:5156; request paths go on unchanged. */
  target: string;
  /**
   * Send the caller's Host header on unchanged (default): the upstream then sees the URL the caller
   * called, which keeps PKI_SIGN signatures and Host-derived issuers consistent through the proxy.
   */
  preserveHost?: boolean;
}

export interface FaultProxyStats {
  /** Every request that reached the proxy. */
  seen: number;
  /** Those sent on to the upstream (which may then have acted, whatever the caller saw). */
  forwarded: number;
  /** Those a fault other than `pass` applied to. */
  faulted: number;
  /** Requests seen, by path without the query string. */
  byPath: Readonly<Record<string, number>>;
}

export interface FaultProxy {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** Replaces the current fault; requests outside `scope` and those after `scope.times` pass. */
  setFault(fault: Fault, scope?: FaultScope): void;
  /** Back to passing everything. */
  clearFault(): void;
  stats(): FaultProxyStats;
  stop(): Promise<void>;
}

const PASS: Fault = { kind: 'pass' };

interface ActiveFault {
  fault: Fault;
  scope: FaultScope;
  /** Faulted requests left before passing again; undefined = until switched. */
  left: number | undefined;
}

const readAll = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const pathOf = (url: string): string => url.split('?')[0] ?? url;

const asAnswer = (forged: ForgedAnswer): UpstreamAnswer => ({
  status: forged.status,
  headers: Object.fromEntries(Object.entries(forged.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
  body: Buffer.from(forged.body),
});

const forgedFor = async (forgery: Forgery, request: ProxiedRequest): Promise<UpstreamAnswer> =>
  asAnswer(typeof forgery === 'function' ? await forgery(request) : forgery);

/** A caller that gave up meanwhile (its timeout) gets nothing; the upstream may have acted all the same. */
const answer = (res: ServerResponse, upstream: UpstreamAnswer): void => {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(upstream.status, passedOnHeaders(upstream.headers));
  res.end(upstream.body);
};

/** A TCP reset, not a polite close: what a dropped connection or a crashed upstream looks like. */
const resetConnection = (req: IncomingMessage): void => {
  if (!req.socket.destroyed) req.socket.resetAndDestroy();
};

export const startFaultProxy = async (options: FaultProxyOptions): Promise<FaultProxy> => {
  const target = new URL(options.target);
  const preserveHost = options.preserveHost ?? true;
  // Ends slow answers and upstream calls still pending, so stop() does not wait for them.
  const stopping = new AbortController();
  let active: ActiveFault = { fault: PASS, scope: {}, left: undefined };
  const counts = { seen: 0, forwarded: 0, faulted: 0 };
  const byPath: Record<string, number> = {};

  const faultFor = (method: string, path: string): Fault => {
    const { fault, scope } = active;
    if (fault.kind === 'pass') return PASS;
    if (scope.path && !scope.path.test(path)) return PASS;
    if (scope.method && scope.method.toUpperCase() !== method.toUpperCase()) return PASS;
    if (active.left !== undefined) {
      active.left -= 1;
      if (active.left <= 0) active = { fault: PASS, scope: {}, left: undefined };
    }
    return fault;
  };

  const forwarded = (request: ProxiedRequest): Promise<UpstreamAnswer> => {
    counts.forwarded += 1;
    return forward(target, request, preserveHost, stopping.signal);
  };

  const apply = async (fault: Fault, request: ProxiedRequest, req: IncomingMessage, res: ServerResponse) => {
    switch (fault.kind) {
      case 'pass':
        return answer(res, await forwarded(request));
      case 'reset':
        return resetConnection(req);
      case 'hang':
        return;
      case 'slow': {
        const upstream = await forwarded(request);
        await sleep(fault.ms, undefined, { signal: stopping.signal });
        return answer(res, upstream);
      }
      case 'error-status':
        return answer(
          res,
          asAnswer({
            status: fault.status,
            headers: { 'Content-Type': 'text/plain; charset=utf-8' },
            body: fault.body ?? 'fault injected by the test proxy',
          }),
        );
      case 'garbage':
        return answer(
          res,
          fault.shape === 'wrong-content-type'
            ? relabelled(await forwarded(request))
            : asAnswer(madeUpGarbage(fault.shape)),
        );
      case 'forge':
        return answer(res, await forgedFor(fault.answer, request));
      case 'drop-answer':
        await forwarded(request);
        return resetConnection(req);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const request: ProxiedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      body: await readAll(req),
    };
    const path = pathOf(request.url);
    counts.seen += 1;
    byPath[path] = (byPath[path] ?? 0) + 1;
    const fault = faultFor(request.method, path);
    if (fault.kind !== 'pass') counts.faulted += 1;
    await apply(fault, request, req, res);
  };

  const server = createServer((req, res) => {
    // An unreachable upstream, or a stop mid-request, looks to the caller like a dropped connection.
    handle(req, res).catch(() => resetConnection(req));
  });
  const url = await listenOnLoopback(server, 0);

  return {
    url,
    setFault: (fault, scope = {}) => {
      checkFault(fault, scope);
      active = { fault, scope: { ...scope }, left: scope.times };
    },
    clearFault: () => {
      active = { fault: PASS, scope: {}, left: undefined };
    },
    stats: () => ({ ...counts, byPath: { ...byPath } }),
    stop: () => {
      stopping.abort();
      return closeServer(server);
    },
  };
};
