import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The little HTTP plumbing the upstream simulators share, on bare node:http. Parameters come back
 * as Maps so a name like `constructor` can never be mistaken for something the caller sent.
 */
export class SimulatorError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY_BYTES = 64 * 1024;

/** Parses a query string or form body, refusing a repeated name: a signed request must be unambiguous. */
export const uniqueParams = (encoded: string): Map<string, string> => {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(encoded)) {
    if (params.has(name)) throw new SimulatorError(400, `parameter ${name} is repeated`);
    params.set(name, value);
  }
  return params;
};

/** The path and raw query exactly as the client sent them (no normalisation). */
export const requestTarget = (req: IncomingMessage): { path: string; query: string } => {
  const target = req.url ?? '/';
  const mark = target.indexOf('?');
  return mark < 0
    ? { path: target, query: '' }
    : { path: target.slice(0, mark), query: target.slice(mark + 1) };
};

/** Scheme, host and path as the client called them, which is what a PKI_SIGN base string names. */
export const calledUrl = (req: IncomingMessage, path: string): string => {
  const host = req.headers.host;
  if (!host) throw new SimulatorError(400, 'Host header is required');
  return `http://${host}${path}`;
};

/** The body as text, when it is of the one content type the endpoint takes and not too large. */
const readBody = async (req: IncomingMessage, contentType: string): Promise<string> => {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== contentType) throw new SimulatorError(400, `Content-Type must be ${contentType}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new SimulatorError(413, 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
};

export const readForm = async (req: IncomingMessage): Promise<Map<string, string>> =>
  uniqueParams(await readBody(req, 'application/x-www-form-urlencoded'));

export const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const text = await readBody(req, 'application/json');
  try {
    return JSON.parse(text);
  } catch {
    throw new SimulatorError(400, 'request body is not JSON');
  }
};

export const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
};

export const sendHtml = (res: ServerResponse, html: string): void => {
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
};

export const sendRedirect = (res: ServerResponse, location: string): void => {
  res.writeHead(302, { Location: location, 'Cache-Control': 'no-store' });
  res.end();
};

/** Escapes text for HTML element content and double-quoted attribute values. */
export const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/** Simulators stand in for internet services but must never be reachable from outside this machine. */
export const listenOnLoopback = (server: Server, port: number): Promise<string> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });
  });

/** Closes keep-alive connections too, or close() would wait for clients to hang up. */
export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });

/**
 * The Myinfo family's error body: `{ code, message }` with the HTTP status as the code. A 500 is a
 * bug in the simulator, not a refusal, so it is also shown to whoever runs it.
 */
export const answerSimulatorError = (res: ServerResponse, error: unknown, simulator: string): void => {
  const status = error instanceof SimulatorError ? error.status : 500;
  const message = error instanceof SimulatorError ? error.message : 'unexpected error in the simulator';
  if (!(error instanceof SimulatorError)) console.error(`${simulator} simulator:`, error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, { code: status, message });
};
