import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CompactEncrypt, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/**
 * An OpenID provider that behaves like Singpass until told to misbehave: it issues ID tokens
 * that are expired, carry the wrong nonce, audience or issuer, are signed by a key it does not
 * publish, or arrive unencrypted. Discovery, PAR (for FAPI 2.0 clients), authorize, token and
 * JWKS, on loopback. It checks nothing a client sends: it exists to test what a client checks.
 */
export type IdTokenFlaw =
  | 'none'
  | 'expired'
  | 'wrong-nonce'
  | 'wrong-aud'
  | 'wrong-iss'
  | 'bad-signature'
  | 'unencrypted'
  /** The ID token's content encrypted with A256GCM, which Singpass uses for userinfo only. */
  | 'gcm-encrypted'
  /** A FAPI 2.0 ID token whose `sub` is not a bare UUID. */
  | 'subject-not-uuid'
  | 'token-500';

export interface FakeSingpass {
  discoveryUrl: string;
  flaw: IdTokenFlaw;
  /** Signs from now on with a new key under a new kid, and publishes only that one. */
  rotateSigningKey(): Promise<void>;
  stop(): Promise<void>;
}

const UUID = 'b6cb9308-733b-42b3-ad38-9b5afc890206';

export interface FakeSingpassOptions {
  /** The ID token's subject as the protocol writes it: NDI OIDC's `s=…,u=…` (default) or FAPI 2.0's bare UUID. */
  subject?: 'ndi' | 'fapi';
  /** Which of the relying party's published `enc` keys ID tokens are encrypted to (default: the first). */
  encryptTo?: (key: JWK) => boolean;
}

export const startFakeSingpass = async (
  relyingPartyJwksUrl: string,
  options: FakeSingpassOptions = {},
): Promise<FakeSingpass> => {
  let published = await generateKeyPair('ES256', { extractable: true });
  const impostor = await generateKeyPair('ES256', { extractable: true });
  let kid = 'fake-sig-1';
  const publicJwkOf = async (): Promise<JWK> => ({
    ...(await exportJWK(published.publicKey)),
    kid,
    use: 'sig',
    alg: 'ES256',
  });
  const nonces = new Map<string, string>();
  const pushed = new Map<string, URLSearchParams>();
  const fake: FakeSingpass = {
    discoveryUrl: '',
    flaw: 'none',
    rotateSigningKey: async () => {
      published = await generateKeyPair('ES256', { extractable: true });
      kid = `fake-sig-${Date.now()}`;
    },
    stop: async () => undefined,
  };
  let issuer = '';

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const idToken = async (code: string, clientId: string) => {
    const flaw = fake.flaw;
    const now = Math.floor(Date.now() / 1000);
    const signed = await new SignJWT({ nonce: flaw === 'wrong-nonce' ? 'not-the-nonce' : nonces.get(code) })
      .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
      .setIssuer(flaw === 'wrong-iss' ? 'https://evil.example' : issuer)
      .setAudience(flaw === 'wrong-aud' ? 'someone-else' : clientId)
      .setSubject(flaw === 'subject-not-uuid' || options.subject !== 'fapi' ? `s=S9812381D,u=${UUID}` : UUID)
      .setIssuedAt(flaw === 'expired' ? now - 7200 : now)
      .setExpirationTime(flaw === 'expired' ? now - 3600 : now + 600)
      .sign(flaw === 'bad-signature' ? impostor.privateKey : published.privateKey);
    if (flaw === 'unencrypted') return signed;
    const rpKeys = (await (await fetch(relyingPartyJwksUrl)).json()) as { keys: JWK[] };
    const encryptionKey = rpKeys.keys.find((key) => key.use === 'enc' && (options.encryptTo?.(key) ?? true));
    if (!encryptionKey) throw new Error('no RP encryption key');
    return new CompactEncrypt(new TextEncoder().encode(signed))
      .setProtectedHeader({
        alg: 'ECDH-ES+A256KW',
        enc: flaw === 'gcm-encrypted' ? 'A256GCM' : 'A256CBC-HS512',
        kid: encryptionKey.kid,
        cty: 'JWT',
      })
      .encrypt(await importJWK(encryptionKey, 'ECDH-ES+A256KW'));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', issuer);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (url.pathname.endsWith('/.well-known/openid-configuration')) {
      return json(res, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        pushed_authorization_request_endpoint: `${issuer}/par`,
        jwks_uri: `${issuer}/jwks`,
        dpop_signing_alg_values_supported: ['ES256'],
      });
    }
    if (url.pathname.endsWith('/par')) {
      const requestUri = `urn:ietf:params:oauth:request_uri:${randomBytes(16).toString('hex')}`;
      pushed.set(requestUri, new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      return json(res, 201, { request_uri: requestUri, expires_in: 60 });
    }
    if (url.pathname.endsWith('/jwks')) return json(res, 200, { keys: [await publicJwkOf()] });
    if (url.pathname.endsWith('/authorize')) {
      const params = pushed.get(url.searchParams.get('request_uri') ?? '') ?? url.searchParams;
      const code = randomBytes(16).toString('hex');
      nonces.set(code, params.get('nonce') ?? '');
      const back = new URL(params.get('redirect_uri') ?? '');
      back.searchParams.set('code', code);
      back.searchParams.set('state', params.get('state') ?? '');
      res.writeHead(302, { Location: back.toString() });
      return res.end();
    }
    if (url.pathname.endsWith('/token')) {
      if (fake.flaw === 'token-500') return json(res, 500, { error: 'server_error' });
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const token = await idToken(form.get('code') ?? '', form.get('client_id') ?? '');
      const tokenType = req.headers.dpop ? 'DPoP' : 'Bearer';
      return json(res, 200, { access_token: 'at', token_type: tokenType, expires_in: 600, id_token: token });
    }
    json(res, 404, { error: 'not_found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => json(res, 500, { error: 'fake failed' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/singpass/v2`;
  fake.discoveryUrl = `${issuer}/.well-known/openid-configuration`;
  fake.stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
};
