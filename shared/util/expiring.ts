/**
 * Memoises the latest load for a while: concurrent callers share one load, a different key (a
 * changed configuration) loads afresh, and a failed load is forgotten so the next call retries.
 * `now` is in the same unit as the lifetime; a provider passes its Clock so tests can move time.
 */
export const expiring = <K, T>(
  load: (key: K) => Promise<T>,
  lifetime: () => number,
  now: () => number = Date.now,
): ((key: K) => Promise<T>) => {
  let entry: { key: K; value: Promise<T>; expiresAt: number } | undefined;
  return (key: K): Promise<T> => {
    const at = now();
    if (entry && entry.key === key && entry.expiresAt > at) return entry.value;
    const current = { key, value: Promise.resolve(key).then(load), expiresAt: at + lifetime() };
    entry = current;
    current.value.catch(() => {
      if (entry === current) entry = undefined;
    });
    return current.value;
  };
};
