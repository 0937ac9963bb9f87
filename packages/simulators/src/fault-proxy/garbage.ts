import { randomBytes } from 'node:crypto';
import type { ForgedAnswer, GarbageShape } from './faults.ts';
import type { UpstreamAnswer } from './forward.ts';

/** Garbage the proxy makes up without asking the upstream. */
export const madeUpGarbage = (shape: Exclude<GarbageShape, 'wrong-content-type'>): ForgedAnswer => {
  if (shape === 'random-bytes') {
    // 0xff never occurs in UTF-8, so the body cannot be read as text, let alone as JSON or a JWE.
    const bytes = randomBytes(256);
    bytes[0] = 0xff;
    return { status: 200, headers: { 'Content-Type': 'application/json' }, body: bytes };
  }
  return {
    status: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
    body: '<html><body><h1>Service temporarily unavailable</h1></body></html>',
  };
};

/** The upstream's own answer under a label that does not fit it. */
export const relabelled = (answer: UpstreamAnswer): UpstreamAnswer => ({
  ...answer,
  headers: { ...answer.headers, 'content-type': 'text/html; charset=utf-8' },
});
