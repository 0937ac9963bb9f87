import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Sits between Secpass and an upstream simulator and records what Secpass actually sent (and
 * what came back), so tests can see which headers and bodies crossed and whether a call left
 * Secpass at all.
 */
export interface Recorded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  answerHeaders: IncomingHttpHeaders;
  answer: string;
}

export interface RecordingProxy {
  url: string;
  calls: Recorded[];
  stop(): Promise<void>;
}

export const startRecordingProxy = async (targetUrl: string): Promise<RecordingProxy> => {
  const target = new URL(targetUrl);
  const calls: Recorded[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (part: Buffer) => parts.push(part));
        answer.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          calls.push({
            method: req.method ?? '',
            path: req.url ?? '',
            headers: req.headers,
            body: body.toString('utf8'),
            status: answer.statusCode ?? 0,
            answerHeaders: answer.headers,
            answer: text,
          });
          const headers = { ...answer.headers };
          delete headers['transfer-encoding'];
          res.writeHead(answer.statusCode ?? 502, headers);
          res.end(text);
        });
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
