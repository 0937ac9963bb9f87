import type { Answer } from './oracle.ts';

/**
 * How a case ended, through either door. `lambda-failure` is what API Gateway turns into a 5xx of
 * its own (a handler or authorizer that threw, or answered something that is no proxy result); it
 * is only seen when calling handlers directly, since through the gateway it arrives as an answer.
 */
export type Outcome =
  | { kind: 'answered'; answer: Answer }
  | { kind: 'lambda-failure'; status: number; reason: string }
  /** Handlers only: API Gateway would have answered this itself (a path it cannot decode, no key). */
  | { kind: 'refused-by-gateway'; status: number; reason: string }
  | { kind: 'hang'; afterMs: number }
  | { kind: 'dropped'; reason: string }
  /** The HTTP client refused to send the case: a bug in the fuzzer, not in what it tests. */
  | { kind: 'unsendable'; reason: string };
