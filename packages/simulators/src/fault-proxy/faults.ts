/**
 * What the fault proxy can do to a request on its way to the upstream and back. Some faults never
 * reach the upstream (it cannot have acted); others forward first, so the upstream has acted by the
 * time the caller sees anything (`forwardsFirst`), which is what separates "failed" from "unknown".
 */

/** What the proxy received, for a forged answer that depends on the request. */
export interface ProxiedRequest {
  method: string;
  /** Path and query exactly as sent. */
  url: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

/** An answer the proxy makes up instead of the upstream's. */
export interface ForgedAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string | Uint8Array;
}

export type Forgery = ForgedAnswer | ((request: ProxiedRequest) => ForgedAnswer | Promise<ForgedAnswer>);

/**
 * - `random-bytes`: 200, labelled `application/json`, not even UTF-8: the label passes, the parser must not.
 * - `not-json`: 200, an HTML error page labelled `text/html`, as a misconfigured load balancer sends.
 * - `wrong-content-type`: the upstream's real answer, relabelled `text/html` (the upstream acted).
 */
export type GarbageShape = 'random-bytes' | 'not-json' | 'wrong-content-type';

export type Fault =
  /** Forward and answer as the upstream did. */
  | { kind: 'pass' }
  /** Reset the caller's connection as soon as the request arrives; nothing is forwarded. */
  | { kind: 'reset' }
  /** Never answer and never forward; the caller's own timeout ends it. */
  | { kind: 'hang' }
  /** Forward at once, then hold the upstream's answer `ms` before passing it on. */
  | { kind: 'slow'; ms: number }
  /** Answer this 5xx (with `body`, as text) instead of forwarding. */
  | { kind: 'error-status'; status: number; body?: string }
  | { kind: 'garbage'; shape: GarbageShape }
  /** Answer what the test supplies (a token signed by the wrong key, say) instead of forwarding. */
  | { kind: 'forge'; answer: Forgery }
  /** Forward, receive the upstream's whole answer, then reset the caller's connection. */
  | { kind: 'drop-answer' };

/** Which requests a fault applies to, and for how many of them; the rest pass. */
export interface FaultScope {
  /** Tested against the path without the query string; default every path. */
  path?: RegExp;
  /** Default every method. */
  method?: string;
  /** After this many faulted requests the proxy passes everything again; default until switched. */
  times?: number;
}

/** Whether the upstream gets the request before the caller sees anything: it may have acted, whatever the caller is told. */
export const forwardsFirst = (fault: Fault): boolean =>
  fault.kind === 'pass' ||
  fault.kind === 'slow' ||
  fault.kind === 'drop-answer' ||
  (fault.kind === 'garbage' && fault.shape === 'wrong-content-type');

/** A mistake in a test's fault is reported where it is made, not as a puzzling answer later. */
export const checkFault = (fault: Fault, scope: FaultScope): void => {
  if (fault.kind === 'slow' && (!Number.isFinite(fault.ms) || fault.ms < 0)) {
    throw new RangeError('a slow fault needs a delay of 0 or more milliseconds');
  }
  if (
    fault.kind === 'error-status' &&
    (!Number.isInteger(fault.status) || fault.status < 500 || fault.status > 599)
  ) {
    throw new RangeError('an error-status fault answers a 5xx status');
  }
  if (scope.times !== undefined && (!Number.isInteger(scope.times) || scope.times < 1)) {
    throw new RangeError('times must be a whole number of requests, at least 1');
  }
};
