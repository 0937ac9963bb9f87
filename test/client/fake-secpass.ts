import {
  CompactEncrypt,
  CompactSign,
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

/**
 * A stand-in Secpass for the client's unit tests: its own signing key and JWKS, an app key pair,
 * and a fetch that serves the JWKS (counting how often) and whatever routes a test scripts. It
 * seals tokens as Secpass does, and lets a test bend any one part of them.
 */
export const ISSUER = 'https://secpass.test/v1/';
export const JWKS_URL = 'https://secpass.test/v1/.well-known/jwks.json';
export const APP_ID = 'app-under-test';

export interface SealOptions {
  header?: Record<string, unknown>;
  jweAlg?: 'ECDH-ES' | 'ECDH-ES+A256KW';
  enc?: 'A256GCM' | 'A128GCM';
  /** Sign with another key than the published one (same kid unless the header says otherwise). */
  signWith?: CryptoKey;
  signAlg?: 'ES256' | 'ES384';
  /** Encrypt to another public key than the app's. */
  encryptTo?: CryptoKey;
}

export type Route = (url: URL, init: RequestInit | undefined) => Response | Promise<Response> | undefined;

export interface FakeSecpass {
  appPrivateJwk: JWK;
  jwksFetches(): number;
  fetch: typeof fetch;
  /** Answers requests other than the JWKS; undefined falls through to a 404. */
  route(handler: Route): void;
  sealData(payload: unknown, options?: SealOptions): Promise<string>;
  signLogin(claims: JWTPayload, options?: { alg?: 'ES256' | 'ES384'; key?: CryptoKey }): Promise<string>;
  /** A second ES384 key, published too, for algorithm tests. */
  es384: { privateKey: CryptoKey; kid: string };
  otherKey(): Promise<CryptoKey>;
  otherAppPublicKey(): Promise<CryptoKey>;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

export const startFakeSecpass = async (): Promise<FakeSecpass> => {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const es384 = await generateKeyPair('ES384', { extractable: true });
  const app = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
  const kid = 'secpass-test-1';
  const jwks = {
    keys: [
      { ...(await exportJWK(signing.publicKey)), kid, alg: 'ES256', use: 'sig' },
      { ...(await exportJWK(es384.publicKey)), kid: 'secpass-test-384', alg: 'ES384', use: 'sig' },
    ],
  };
  let jwksFetches = 0;
  let handler: Route = () => undefined;
  const fakeFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    if (url.toString() === JWKS_URL) {
      jwksFetches += 1;
      return Response.json(jwks);
    }
    return (
      (await handler(url, init)) ??
      Response.json({ error: 'not_found', message: 'No such route.' }, { status: 404 })
    );
  };
  return {
    appPrivateJwk: await exportJWK(app.privateKey),
    jwksFetches: () => jwksFetches,
    fetch: fakeFetch,
    route: (next) => {
      handler = next;
    },
    es384: { privateKey: es384.privateKey, kid: 'secpass-test-384' },
    otherKey: async () => (await generateKeyPair('ES256')).privateKey,
    otherAppPublicKey: async () => (await generateKeyPair('ECDH-ES', { crv: 'P-256' })).publicKey,
    sealData: async (payload, options = {}) => {
      const iat = nowSeconds();
      const alg = options.signAlg ?? 'ES256';
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({
          alg,
          kid: alg === 'ES384' ? 'secpass-test-384' : kid,
          iss: ISSUER,
          aud: APP_ID,
          iat,
          exp: iat + 300,
          ...options.header,
        })
        .sign(options.signWith ?? (alg === 'ES384' ? es384.privateKey : signing.privateKey));
      return new CompactEncrypt(new TextEncoder().encode(jws))
        .setProtectedHeader({ alg: options.jweAlg ?? 'ECDH-ES', enc: options.enc ?? 'A256GCM', cty: 'JWT' })
        .encrypt(options.encryptTo ?? app.publicKey);
    },
    signLogin: (claims, options = {}) => {
      const alg = options.alg ?? 'ES256';
      return new SignJWT({
        sub: 'u=b6cb9308-733b-42b3-ad38-9b5afc890206',
        iss: ISSUER,
        aud: APP_ID,
        ...claims,
      })
        .setProtectedHeader({ alg, kid: alg === 'ES384' ? 'secpass-test-384' : kid, typ: 'JWT' })
        .setIssuedAt(typeof claims.iat === 'number' ? claims.iat : nowSeconds())
        .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : nowSeconds() + 300)
        .sign(options.key ?? (alg === 'ES384' ? es384.privateKey : signing.privateKey));
    },
  };
};
