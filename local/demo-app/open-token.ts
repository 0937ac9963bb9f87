import { compactDecrypt, compactVerify, createRemoteJWKSet, importJWK, type JWK } from 'jose';

/** Who opens the token: the app's id (the `aud` it must carry) and the app's private key. */
export interface TokenOpener {
  appId: string;
  privateJwk: JWK;
}

/** The Secpass deployment: where its keys are published, and the `iss` its tokens carry. */
export interface SecpassIssuer {
  jwksUrl: string;
  issuer: string;
}

/** Clock difference tolerated between Secpass and the app. */
const SKEW_SECONDS = 30;

/**
 * What an app does with a data-bearing Secpass token: decrypt with its own private key, verify
 * Secpass's signature against the published JWKS, then check the binding in the signed JWS
 * header (the payload is the upstream's own, so the binding cannot live there): `aud` is this
 * app, `iss` this Secpass, and the token is within its `iat`–`exp`. Algorithms are pinned, as an
 * app should pin them.
 */
export const openSecpassToken = async (
  token: string,
  app: TokenOpener,
  secpass: SecpassIssuer,
): Promise<{ payload: Uint8Array; kid: string | undefined }> => {
  const { plaintext } = await compactDecrypt(token, await importJWK(app.privateJwk, 'ECDH-ES'), {
    keyManagementAlgorithms: ['ECDH-ES'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  const jwks = createRemoteJWKSet(new URL(secpass.jwksUrl));
  const { payload, protectedHeader } = await compactVerify(new TextDecoder().decode(plaintext), jwks, {
    algorithms: ['ES256'],
  });
  const { aud, iss, iat, exp } = protectedHeader as {
    aud?: unknown;
    iss?: unknown;
    iat?: unknown;
    exp?: unknown;
  };
  const now = Math.floor(Date.now() / 1000);
  if (aud !== app.appId) throw new Error('the token was sealed for another app');
  if (iss !== secpass.issuer) throw new Error('the token was not issued by this Secpass');
  if (
    typeof iat !== 'number' ||
    typeof exp !== 'number' ||
    iat > now + SKEW_SECONDS ||
    exp <= now - SKEW_SECONDS
  ) {
    throw new Error('the token is not within its validity');
  }
  return { payload, kid: protectedHeader.kid };
};
