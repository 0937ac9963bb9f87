import type { ObservedResponse } from './response-checker.ts';

export interface Interception {
  /** Resolves once every copy taken so far has been read and observed. */
  settled(): Promise<void>;
  restore(): void;
}

/** What `fetch` takes as its first argument (the DOM's `RequestInfo | URL`, which Node's types do not name). */
type FetchInput = Parameters<typeof fetch>[0];

const methodOf = (input: FetchInput, init: RequestInit | undefined): string =>
  (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase();

const urlOf = (input: FetchInput): string =>
  input instanceof Request ? input.url : input instanceof URL ? input.href : input;

/**
 * The method that produced the final answer: a followed 301/302/303 turns everything but GET and
 * HEAD into GET, as fetch does; 307 and 308 keep it, which is rare enough to read as the same.
 */
const finalMethod = (requested: string, response: Response): string =>
  response.redirected && requested !== 'HEAD' ? 'GET' : requested;

/**
 * Wraps `globalThis.fetch` so that every answer from a URL `observes` accepts is also handed, as a
 * copy, to `observe`. The caller gets the very response it would have got: its body is a tee of
 * the same stream, and nothing is awaited on its behalf. `observe` must not throw: it runs after
 * the caller has its answer, where an error could only surface as an unhandled rejection.
 */
export const interceptFetch = (
  observes: (url: string) => boolean,
  observe: (observed: ObservedResponse) => void,
): Interception => {
  const original = globalThis.fetch;
  const pending = new Set<Promise<void>>();

  const copyFor = async (method: string, url: string, response: Response): Promise<void> => {
    let body: string;
    try {
      body = await response.text();
    } catch {
      // The body never fully arrived (the server stopped): the test that asked sees that itself.
      return;
    }
    observe({ method, url, status: response.status, headers: response.headers, body });
  };

  globalThis.fetch = async (input: FetchInput, init?: RequestInit): Promise<Response> => {
    const response = await original(input, init);
    const url = response.url || urlOf(input);
    if (observes(url)) {
      const reading = copyFor(finalMethod(methodOf(input, init), response), url, response.clone());
      pending.add(reading);
      void reading.finally(() => pending.delete(reading));
    }
    return response;
  };

  return {
    settled: async () => {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    restore: () => {
      globalThis.fetch = original;
    },
  };
};
