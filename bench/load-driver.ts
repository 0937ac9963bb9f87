import { performance } from 'node:perf_hooks';
import { build, type Histogram } from 'hdr-histogram-js';
import { SecpassApiError, SecpassTokenError } from '../packages/client/src/index.ts';

/**
 * The load run's meter: a closed loop of workers, each starting its next flow when the last one
 * ends, and HDR histograms (microseconds, 3 significant digits) for the latencies.
 */

/** Up to 2 minutes at 3 significant digits: a slower request is a failure anyway. */
export const newHistogram = (): Histogram =>
  build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });

export const recordSince = (histogram: Histogram, start: number): void => {
  histogram.recordValue(Math.max(1, Math.round((performance.now() - start) * 1000)));
};

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A fetch that counts each request by origin and times it per `origin + path` up to its last
 * body byte (the body is read here and handed on in a new Response, headers and cookies kept).
 * `observe` is told each request's time as well. A request that brings no signal of its own gives
 * up after `timeoutMs`, so a stalled upstream ends as a counted timeout, never a hung run.
 */
export const createMeter = (
  inner: typeof fetch,
  timeoutMs: number,
  observe?: (url: URL, ms: number) => void,
) => {
  const counts = new Map<string, number>();
  const latencies = new Map<string, Histogram>();
  const meteredFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const start = performance.now();
    const response = await inner(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
    const body = await response.arrayBuffer();
    const key = `${url.origin}${url.pathname}`;
    let histogram = latencies.get(key);
    if (!histogram) {
      histogram = newHistogram();
      latencies.set(key, histogram);
    }
    const elapsed = performance.now() - start;
    histogram.recordValue(Math.max(1, Math.round(elapsed * 1000)));
    observe?.(url, elapsed);
    counts.set(url.origin, (counts.get(url.origin) ?? 0) + 1);
    return new Response(NULL_BODY_STATUSES.has(response.status) ? null : body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
  return {
    fetch: meteredFetch,
    /** Requests answered by this origin since the last reset. */
    requests: (origin: string) => counts.get(origin) ?? 0,
    /** Requests to this origin and path, timed to the last body byte. */
    latency: (origin: string, path: string) => latencies.get(`${origin}${path}`) ?? newHistogram(),
    reset: () => {
      counts.clear();
      latencies.clear();
    },
  };
};

/** A step of a flow that failed, named so failures can be counted by kind. */
export class StepFailed extends Error {
  constructor(
    readonly step: string,
    readonly kind: string,
    options: { cause: unknown },
  ) {
    super(`${step}: ${kind}`, options);
  }
}

/** fetch's `TypeError: fetch failed` says why only in its cause: a socket error's code, or a message. */
const causeOf = (error: Error): string | undefined => {
  const { cause } = error as { cause?: unknown };
  if (!(cause instanceof Error)) return undefined;
  return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
};

/** What went wrong, as a kind to count: the API's code, the token refusal, a timeout, a socket error. */
export const kindOf = (error: unknown): string => {
  if (error instanceof SecpassApiError) return `${error.status} ${error.code}`;
  if (error instanceof SecpassTokenError) return `token refused: ${error.reason}`;
  if (error instanceof Error) {
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
    const cause = causeOf(error);
    if (cause) return `${error.message} (${cause})`.slice(0, 120);
    return error.message.slice(0, 120);
  }
  return String(error).slice(0, 120);
};

/** Runs `work` and, if it fails, says which step failed and how. */
export const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw new StepFailed(name, kindOf(error), { cause: error });
  }
};

/**
 * `concurrency` workers, each running one flow after another until `more()` says stop; a flow in
 * flight then still completes. A failed flow is counted by its kind and the worker goes on.
 */
export const closedLoop = async (
  concurrency: number,
  more: () => boolean,
  flow: (worker: number) => Promise<void>,
  failed: (error: unknown) => void,
): Promise<void> => {
  const worker = async (id: number) => {
    while (more()) {
      try {
        await flow(id);
      } catch (error) {
        failed(error);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, id) => worker(id)));
};

export const errorKey = (error: unknown): string =>
  error instanceof StepFailed ? `${error.step}: ${error.kind}` : `flow: ${kindOf(error)}`;

export const percentiles = (histogram: Histogram) => ({
  count: histogram.totalCount,
  p50: histogram.getValueAtPercentile(50) / 1000,
  p95: histogram.getValueAtPercentile(95) / 1000,
  p99: histogram.getValueAtPercentile(99) / 1000,
  max: histogram.maxValue / 1000,
});
