import { type IncomingHttpHeaders, request } from 'node:http';

/** The upstream's whole answer, read before anything is passed on. */
export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Outbound {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Sends the request to `target` as it came, Host header included unless told otherwise: upstreams
 * that sign or check the URL they were called at (PKI_SIGN base strings, an issuer built from the
 * Host) then see the proxy's URL, which is the one the caller used.
 */
export const forward = (
  target: URL,
  outbound: Outbound,
  preserveHost: boolean,
  stopping: AbortSignal,
): Promise<UpstreamAnswer> =>
  new Promise((resolve, reject) => {
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: outbound.method,
        path: outbound.url,
        headers: preserveHost ? outbound.headers : { ...outbound.headers, host: target.host },
        signal: stopping,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
        );
        answer.on('error', reject);
      },
    );
    upstream.on('error', reject);
    upstream.end(outbound.body);
  });

// Hop-by-hop headers, and the length, which is the proxy's own to set for the body it sends.
const NOT_PASSED_ON = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export const passedOnHeaders = (headers: IncomingHttpHeaders): IncomingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !NOT_PASSED_ON.has(name.toLowerCase())));
