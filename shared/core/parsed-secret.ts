import type { SecretSource, SecretValue } from './ports.ts';

/**
 * A secret's parsed form (keys imported, schema checked), derived once per read of the secret:
 * concurrent callers share one derivation, and a failed one is forgotten so the next call retries.
 */
export const parsedSecret = <T>(
  secrets: SecretSource,
  secretId: () => string,
  parse: (text: string) => T | Promise<T>,
): (() => Promise<T>) => {
  const derived = new WeakMap<SecretValue, Promise<T>>();
  return async () => {
    const value = await secrets.read(secretId());
    let parsed = derived.get(value);
    if (!parsed) {
      parsed = Promise.resolve().then(() => parse(value.text));
      derived.set(value, parsed);
      parsed.catch(() => derived.delete(value));
    }
    return parsed;
  };
};
