/**
 * Memoises the latest load for a while: concurrent callers share one load, a different key (a
 * changed configuration) loads afresh, and a failed load is forgotten so the next call retries.
 */
export const expiring = <K, T>(load: (key: K) => Promise<T>, lifetimeMs: () => number) => {
  let entry: { key: K; value: Promise<T>; expiresAt: number } | undefined;
  return (key: K): Promise<T> => {
    const now = Date.now();
    if (entry && entry.key === key && entry.expiresAt > now) return entry.value;
    const current = { key, value: load(key), expiresAt: now + lifetimeMs() };
    entry = current;
    current.value.catch(() => {
      if (entry === current) entry = undefined;
    });
    return current.value;
  };
};
