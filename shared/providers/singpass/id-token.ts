import { compactDecrypt, type JWTPayload, jwtVerify } from 'jose';
import { UpstreamError } from '../../http/errors.ts';
import type { SingpassKeys } from '../../secrets/singpass-keys.ts';
import type { SingpassProvider } from './discovery.ts';

/**
 * Opens Singpass's ID token: a JWE (ECDH-ES+A256KW, A256CBC-HS512) to one of our encryption
 * keys, wrapping a JWS (ES256) by Singpass. Algorithms are pinned; a plain JWS is refused.
 * Returns the verified claims after checking iss, aud, exp, iat and nonce.
 */
export const openIdToken = async (
  idToken: string,
  keys: SingpassKeys,
  provider: SingpassProvider,
  expectedNonce: string,
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
  } catch {
    throw new UpstreamError('Singpass', 'bad_encryption');
  }
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(signed, provider.keys, {
      algorithms: ['ES256'],
      issuer: provider.issuer,
      audience: keys.clientId,
      requiredClaims: ['iat', 'exp', 'sub', 'nonce'],
      clockTolerance: 30,
    }));
  } catch {
    throw new UpstreamError('Singpass', 'bad_token');
  }
  if (claims.nonce !== expectedNonce) throw new UpstreamError('Singpass', 'bad_token');
  return claims;
};

/**
 * Singpass's `sub`: `s=<NRIC/FIN>,u=<uuid>` (NDI OIDC, sometimes with more fields) or the bare
 * uuid (FAPI 2.0). Only the uuid leaves here.
 */
export const uuidOf = (sub: unknown): string => {
  const uuid =
    typeof sub === 'string' ? /^(?:|.*(?:^|,)u=)([0-9a-fA-F-]{36})(?:,.*)?$/.exec(sub)?.[1] : undefined;
  if (!uuid) throw new UpstreamError('Singpass', 'bad_token');
  return uuid.toLowerCase();
};
