import { Agent, type ClientRequest, type IncomingMessage, request } from 'node:http';
import type { FuzzCase } from './cases.ts';
import type { Header } from './headers.ts';
import type { Outcome } from './outcome.ts';

/** More than any answer of ours (a JWKS, a sealed token, a CPF statement), far less than memory. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** The fuzzer only ever talks to this machine. */
export const assertLoopback = (url: URL): void => {
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1') {
    throw new Error(`the fuzzer only sends to http://127.0.0.1, not ${url.origin}`);
  }
};

export const gatewayAgent = (concurrency: number): Agent =>
  new Agent({ keepAlive: true, maxSockets: concurrency });

const readAnswer = (incoming: IncomingMessage, settle: (outcome: Outcome) => void) => {
  const chunks: Buffer[] = [];
  let size = 0;
  incoming.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
    else {
      settle({ kind: 'dropped', reason: `an answer over ${MAX_ANSWER_BYTES} bytes` });
      incoming.destroy();
    }
  });
  incoming.on('error', (error) => settle({ kind: 'dropped', reason: error.message }));
  incoming.on('end', () =>
    settle({
      kind: 'answered',
      answer: {
        status: incoming.statusCode ?? 0,
        contentType: String(incoming.headers['content-type'] ?? ''),
        body: Buffer.concat(chunks).toString('utf8'),
      },
    }),
  );
};

/**
 * Node's client sends a raw header list as it is, adding neither Host nor the body's length: a
 * request without Host is Node's own 400, and a body without Content-Length would be read as the
 * next request.
 */
const withFraming = (fuzzCase: FuzzCase, host: string): readonly Header[] => {
  const { headers, body } = fuzzCase;
  const hasHost = headers.some(([name]) => name.toLowerCase() === 'host');
  return [
    ...(hasHost ? [] : [['Host', host] as const]),
    ...headers,
    ...(body ? [['Content-Length', String(body.length)] as const] : []),
  ];
};

/** Sends the case over HTTP exactly as built (raw path, repeated headers) and reads the answer. */
export const sendThroughGateway = (
  gateway: URL,
  fuzzCase: FuzzCase,
  timeoutMs: number,
  agent: Agent,
): Promise<Outcome> =>
  new Promise((resolve) => {
    const started = Date.now();
    let outgoing: ClientRequest | undefined;
    let settled = false;
    const settle = (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      settle({ kind: 'hang', afterMs: Date.now() - started });
      outgoing?.destroy();
    }, timeoutMs);
    try {
      outgoing = request(
        {
          host: gateway.hostname,
          port: gateway.port,
          method: fuzzCase.method,
          path: fuzzCase.query ? `${fuzzCase.path}?${fuzzCase.query}` : fuzzCase.path,
          headers: withFraming(fuzzCase, gateway.host).flat(),
          agent,
        },
        (incoming) => readAnswer(incoming, settle),
      );
    } catch (error) {
      // Node checks names and values before sending: a case it refuses is the fuzzer's own bug.
      settle({ kind: 'unsendable', reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    outgoing.on('error', (error) => settle({ kind: 'dropped', reason: error.message }));
    outgoing.end(fuzzCase.body ?? undefined);
  });
