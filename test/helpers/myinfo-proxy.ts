import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockpassKeys } from '@secpass/simulators/mockpass';
import { CompactEncrypt, CompactSign, importX509, SignJWT } from 'jose';

/**
 * Sits between Secpass and MockPass's Myinfo routes. In `pass` mode it forwards everything
 * unchanged (keeping the Host header, which MockPass puts in the PKI_SIGN base string) and
 * records the person answer; other modes make Myinfo misbehave the ways a real upstream can.
 */
export type ProxyMode =
  | 'pass'
  | 'hang'
  | 'token-500'
  | 'person-503'
  | 'token-garbage'
  | 'token-forged'
  | 'person-garbage'
  | 'person-unencrypted'
  | 'person-forged-signature'
  | 'person-wrong-recipient';

export interface MyinfoProxy {
  myinfoBaseUrl: string;
  mode: ProxyMode;
  /** The last person JWE MockPass returned, as it returned it. */
  lastPersonJwe?: string;
  stop(): Promise<void>;
}

const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });

const forgedPersonJwe = async (person: object) => {
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(person)))
    .setProtectedHeader({ alg: 'RS256' })
    .sign(stranger.privateKey);
  const ourCert = await importX509(mockpassKeys.relyingPartyCertificatePem, 'RSA-OAEP');
  return new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM' })
    .encrypt(ourCert);
};

const jweToStranger = async () =>
  new CompactEncrypt(new TextEncoder().encode('x.y.z'))
    .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM' })
    .encrypt(stranger.publicKey);

export const startMyinfoProxy = async (mockpassUrl: string): Promise<MyinfoProxy> => {
  const target = new URL(mockpassUrl);
  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
          );
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const reply = (res: ServerResponse, status: number, body: string, type = 'application/json') => {
    res.writeHead(status, { 'Content-Type': type });
    res.end(body);
  };

  const proxy: MyinfoProxy = { myinfoBaseUrl: '', mode: 'pass', stop: async () => undefined };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const isToken = path.endsWith('/token');
    const isPerson = path.includes('/person/');
    const mode = proxy.mode;
    if (mode === 'hang' && (isToken || isPerson)) return; // never answers
    if (mode === 'token-500' && isToken) return reply(res, 500, '{"code":500,"message":"boom"}');
    if (mode === 'token-garbage' && isToken) return reply(res, 200, '<html>not json</html>', 'text/html');
    if (mode === 'token-forged' && isToken) {
      const forged = await new SignJWT({ sub: 'S9812381D', scope: ['name'] })
        .setProtectedHeader({ alg: 'RS256' })
        .setExpirationTime('10m')
        .sign(stranger.privateKey);
      return reply(res, 200, JSON.stringify({ access_token: forged, token_type: 'Bearer', expires_in: 600 }));
    }
    const answer = await forward(req, Buffer.concat(chunks));
    if (isPerson && answer.status === 200) {
      if (mode === 'person-503') return reply(res, 503, '{"code":503,"message":"maintenance"}');
      if (mode === 'person-garbage') return reply(res, 200, 'definitely-not-a-jwe', 'application/jose');
      if (mode === 'person-unencrypted') return reply(res, 200, JSON.stringify({ name: { value: 'X' } }));
      if (mode === 'person-forged-signature') {
        return reply(
          res,
          200,
          await forgedPersonJwe({ uinfin: { value: 'S9812381D' }, name: { value: 'MALLORY' } }),
          'application/jose',
        );
      }
      if (mode === 'person-wrong-recipient')
        return reply(res, 200, await jweToStranger(), 'application/jose');
      proxy.lastPersonJwe = answer.body.toString('utf8');
    }
    const headers = { ...answer.headers };
    delete headers['transfer-encoding'];
    res.writeHead(answer.status, headers);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => reply(res, 502, '{"message":"proxy failure"}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.myinfoBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/myinfo/v3`;
  proxy.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return proxy;
};
