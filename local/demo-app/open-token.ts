import { compactDecrypt, compactVerify, createRemoteJWKSet, importJWK, type JWK } from 'jose';

/**
 * What an app does with a data-bearing Secpass token (secpass-api.md, "Howto get the
 * payload"): decrypt with its own private key, then verify Secpass's signature against the
 * published JWKS. Algorithms are pinned, as an app should pin them.
 */
export const openSecpassToken = async (
  token: string,
  appPrivateJwk: JWK,
  secpassJwksUrl: string,
): Promise<{ payload: Uint8Array; kid: string | undefined }> => {
  const { plaintext } = await compactDecrypt(token, await importJWK(appPrivateJwk, 'ECDH-ES'), {
    keyManagementAlgorithms: ['ECDH-ES'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  const jwks = createRemoteJWKSet(new URL(secpassJwksUrl));
  const { payload, protectedHeader } = await compactVerify(new TextDecoder().decode(plaintext), jwks, {
    algorithms: ['ES256'],
  });
  return { payload, kid: protectedHeader.kid };
};
