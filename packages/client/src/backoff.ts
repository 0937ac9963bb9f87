/** How a poll spaces its attempts: short at first (a visitor often scans at once), then longer. */
export interface BackoffOptions {
  /** First wait, in ms (default 500). */
  initialDelayMs?: number;
  /** Longest wait, in ms (default 5,000). */
  maxDelayMs?: number;
  /** Each wait is the previous one times this (default 1.5). */
  factor?: number;
}

export const delays = function* (options: BackoffOptions = {}): Generator<number, never> {
  const max = options.maxDelayMs ?? 5_000;
  let delay = Math.min(options.initialDelayMs ?? 500, max);
  for (;;) {
    yield delay;
    delay = Math.min(delay * (options.factor ?? 1.5), max);
  }
};

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
