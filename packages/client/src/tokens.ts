import {
  type CryptoKey,
  compactDecrypt,
  compactVerify,
  createRemoteJWKSet,
  customFetch,
  errors,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';
import { SecpassTokenError } from './errors.ts';
import type { LoginTokenClaims, VerifiedLogin } from './payloads.ts';

/** What an app needs to accept Secpass tokens: who it is, its key, and which Secpass it trusts. */
export interface TokenCheckOptions {
  /** The app's id: the `aud` every token for it carries. */
  appId: string;
  /** The app's EC P-256 private key (a JWK with `d`, or an imported key): tokens are sealed to its public half. */
  privateKey: JWK | CryptoKey;
  /** The `iss` this Secpass puts in its tokens (its `SECPASS_ISSUER`; on AWS the stack's `ApiUrl`). */
  issuer: string;
  /** Secpass's `/.well-known/jwks.json`. */
  jwksUrl: string;
  /** Clock difference tolerated between Secpass and the app (default 30 s). */
  clockToleranceSeconds?: number;
  fetch?: typeof fetch;
}

/** The binding Secpass signs into the inner JWS's protected header (the payload is the upstream's). */
export interface TokenBinding {
  aud: string;
  iss: string;
  iat: number;
  exp: number;
  /** The Secpass signing key that signed it. */
  kid: string | undefined;
}

export interface OpenedDataToken<T> {
  /** The payload, parsed. */
  payload: T;
  /** The payload exactly as the upstream signed it, to keep or pass on unchanged. */
  bytes: Uint8Array;
  binding: TokenBinding;
}

export interface TokenChecks {
  openDataToken<T = unknown>(token: string): Promise<OpenedDataToken<T>>;
  verifyLoginToken(token: string): Promise<VerifiedLogin>;
}

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
// Secpass's JWKS answers with max-age 300 and publishes a new key 300 s before it signs with it;
// an unknown kid still refetches (after jose's cooldown), so a rotation never strands a token.
const JWKS_CACHE_MS = 300_000;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** jose's failures, told as the check that failed; anything else (a bug) goes up unchanged. */
const refusalOf = (error: unknown): SecpassTokenError => {
  if (error instanceof SecpassTokenError) return error;
  const refuse = (reason: ConstructorParameters<typeof SecpassTokenError>[0], message: string) =>
    new SecpassTokenError(reason, message, { cause: error });
  if (error instanceof errors.JOSEAlgNotAllowed)
    return refuse('algorithm_not_allowed', 'the token uses an algorithm this app does not accept');
  if (error instanceof errors.JWEDecryptionFailed || error instanceof errors.JWEInvalid)
    return refuse('undecryptable', "the token could not be decrypted with this app's key");
  if (error instanceof errors.JWKSNoMatchingKey)
    return refuse('unknown_key', 'the token was signed with a key this Secpass does not publish');
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return refuse('jwks_unavailable', "Secpass's signing keys could not be fetched");
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return refuse('bad_signature', "the token's signature does not verify");
  if (error instanceof errors.JWTExpired) return refuse('expired', 'the token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return refuse('wrong_audience', 'the token was sealed for another app');
    if (error.claim === 'iss') return refuse('wrong_issuer', 'the token was not issued by this Secpass');
    if (error.claim === 'iat' || error.claim === 'nbf')
      return refuse('not_yet_valid', 'the token is not valid yet');
    return refuse('malformed', `the token's ${error.claim} claim is missing or wrong`);
  }
  // jose's plain JOSEError is what its JWKS fetch throws for a non-200 or non-JSON answer, and
  // fetch's TypeError what a refused connection throws: either way the keys could not be had.
  if (error instanceof TypeError || (error instanceof errors.JOSEError && error.code === 'ERR_JOSE_GENERIC'))
    return refuse('jwks_unavailable', "Secpass's signing keys could not be fetched");
  if (error instanceof errors.JOSEError)
    return refuse('malformed', 'the token is not a well-formed Secpass token');
  throw error;
};

/**
 * The binding in the JWS header: `aud` this app, `iss` this Secpass, and now within `iat`–`exp`.
 * A JWS another app decrypted and re-sealed to us verifies, and fails here on `aud`.
 */
const checkBinding = (header: Record<string, unknown>, options: TokenCheckOptions, tolerance: number) => {
  const { aud, iss, iat, exp, kid } = header;
  if (aud !== options.appId)
    throw new SecpassTokenError('wrong_audience', 'the token was sealed for another app');
  if (iss !== options.issuer)
    throw new SecpassTokenError('wrong_issuer', 'the token was not issued by this Secpass');
  if (typeof iat !== 'number' || typeof exp !== 'number')
    throw new SecpassTokenError('malformed', 'the token does not say when it was issued and expires');
  const now = nowSeconds();
  if (iat > now + tolerance) throw new SecpassTokenError('not_yet_valid', 'the token is not valid yet');
  if (exp <= now - tolerance) throw new SecpassTokenError('expired', 'the token has expired');
  return { aud, iss, iat, exp, kid: typeof kid === 'string' ? kid : undefined };
};

const parseJson = <T>(bytes: Uint8Array): T => {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as T;
  } catch (error) {
    throw new SecpassTokenError('malformed', "the token's payload is not JSON", { cause: error });
  }
};

const isLoginSubject = (sub: unknown): sub is LoginTokenClaims['sub'] =>
  typeof sub === 'string' && sub.startsWith('u=') && sub.length > 2;

/**
 * The checks an app makes on every Secpass token, with algorithms pinned (never taken from the
 * token) and Secpass's JWKS fetched once and cached across calls.
 */
export const createTokenChecks = (options: TokenCheckOptions): TokenChecks => {
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const jwks: JWTVerifyGetKey = createRemoteJWKSet(new URL(options.jwksUrl), {
    cacheMaxAge: JWKS_CACHE_MS,
    [customFetch]: (url, init) => fetchImpl(url, init),
  });
  let decryptionKey: Promise<CryptoKey> | undefined;
  const appKey = () => {
    const { privateKey } = options;
    if (!('kty' in privateKey)) return Promise.resolve(privateKey);
    decryptionKey ??= importJWK(privateKey, 'ECDH-ES').then((key) => {
      if (key instanceof Uint8Array) throw new TypeError('privateKey must be an EC P-256 private key');
      return key;
    });
    return decryptionKey;
  };

  return {
    openDataToken: async <T>(token: string): Promise<OpenedDataToken<T>> => {
      try {
        const { plaintext } = await compactDecrypt(token, await appKey(), {
          keyManagementAlgorithms: ['ECDH-ES'],
          contentEncryptionAlgorithms: ['A256GCM'],
        });
        const { payload, protectedHeader } = await compactVerify(new TextDecoder().decode(plaintext), jwks, {
          algorithms: ['ES256'],
        });
        const binding = checkBinding({ ...protectedHeader }, options, tolerance);
        return { payload: parseJson<T>(payload), bytes: payload, binding };
      } catch (error) {
        throw refusalOf(error);
      }
    },

    verifyLoginToken: async (token: string): Promise<VerifiedLogin> => {
      try {
        const { payload } = await jwtVerify(token, jwks, {
          algorithms: ['ES256'],
          typ: 'JWT',
          audience: options.appId,
          issuer: options.issuer,
          clockTolerance: tolerance,
          requiredClaims: ['sub', 'iat', 'exp'],
        });
        const { sub, iss, aud, iat, exp } = payload;
        if (!isLoginSubject(sub))
          throw new SecpassTokenError('malformed', 'the login token does not name a Singpass UUID');
        if (typeof iss !== 'string' || typeof aud !== 'string' || typeof iat !== 'number' || !exp)
          throw new SecpassTokenError('malformed', 'the login token lacks a claim');
        return {
          claims: { sub, iss, aud, iat, exp },
          uuid: sub.slice(2),
          expiresAt: new Date(exp * 1000),
        };
      } catch (error) {
        throw refusalOf(error);
      }
    },
  };
};
