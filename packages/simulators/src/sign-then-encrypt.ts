import type { KeyObject } from 'node:crypto';
import { CompactEncrypt, CompactSign } from 'jose';

/**
 * A Myinfo-family data answer: signed (JWS RS256, the simulator's key) and then encrypted to the
 * client (JWE RSA-OAEP / A256GCM), the order the specs give so the signed payload can be passed
 * on and verified by a third party.
 */
export const signThenEncrypt = async (
  payload: object,
  signingKey: KeyObject,
  recipientKey: KeyObject,
): Promise<string> => {
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'RS256' })
    .sign(signingKey);
  return new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM' })
    .encrypt(recipientKey);
};
