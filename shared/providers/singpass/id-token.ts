import { compactDecrypt, type JWTPayload, jwtVerify } from 'jose';
import { UpstreamFailed } from '../../core/errors.ts';
import type { SingpassKeys } from '../../secrets/singpass-keys.ts';
import type { SingpassIssuer } from './discovery.ts';

/**
 * Opens Singpass's ID token: a JWE (ECDH-ES+A256KW, A256CBC-HS512) to one of our encryption
 * keys, wrapping a JWS (ES256) by Singpass. Algorithms are pinned; a plain JWS is refused.
 * Returns the verified claims after checking iss, aud, exp, iat (against `nowSeconds`) and nonce.
 */
export const openIdToken = async (
  idToken: string,
  keys: SingpassKeys,
  issuer: SingpassIssuer,
  expectedNonce: string,
  nowSeconds: number,
): Promise<JWTPayload> => {
  let signed: string;
  try {
    const { plaintext } = await compactDecrypt(
      idToken,
      async (header) => {
        const key = header.kid ? keys.decryption.get(header.kid) : undefined;
        if (!key) throw new Error('unknown encryption key');
        return key;
      },
      { keyManagementAlgorithms: ['ECDH-ES+A256KW'], contentEncryptionAlgorithms: ['A256CBC-HS512'] },
    );
    signed = new TextDecoder().decode(plaintext);
  } catch (error) {
    throw new UpstreamFailed('Singpass', 'bad_encryption', { cause: error });
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(signed, issuer.keys, {
      algorithms: ['ES256'],
      issuer: issuer.issuer,
      audience: keys.clientId,
      requiredClaims: ['iat', 'exp', 'sub', 'nonce'],
      clockTolerance: 30,
      currentDate: new Date(nowSeconds * 1000),
    }));
  } catch (error) {
    throw new UpstreamFailed('Singpass', 'bad_token', { cause: error });
  }
  if (claims.nonce !== expectedNonce) throw new UpstreamFailed('Singpass', 'bad_token');
  return claims;
};

/**
 * Singpass's `sub`: `s=<NRIC/FIN>,u=<uuid>` (NDI OIDC, sometimes with more fields) or the bare
 * uuid (FAPI 2.0). Only the uuid leaves here.
 */
export const uuidOf = (sub: unknown): string => {
  const uuid =
    typeof sub === 'string' ? /^(?:|.*(?:^|,)u=)([0-9a-fA-F-]{36})(?:,.*)?$/.exec(sub)?.[1] : undefined;
  if (!uuid) throw new UpstreamFailed('Singpass', 'bad_token');
  return uuid.toLowerCase();
};
