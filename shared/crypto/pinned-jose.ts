import type { KeyObject } from 'node:crypto';
import { compactDecrypt, compactVerify, type JWTPayload, jwtVerify } from 'jose';

/**
 * JOSE operations with the algorithm fixed by the caller, never taken from the token's header,
 * and tried against each key we trust (current first) so upstream key rotation causes no outage.
 * Each throws JoseRejected; callers decide what that means for their provider.
 */
export class JoseRejected extends Error {
  override name = 'JoseRejected';
}

const firstThatWorks = async <T>(
  keys: readonly KeyObject[],
  attempt: (key: KeyObject) => Promise<T>,
): Promise<T> => {
  for (const key of keys) {
    try {
      return await attempt(key);
    } catch {
      // try the next key; the reason is deliberately not kept, it may quote the token
    }
  }
  throw new JoseRejected();
};

export const decryptJwe = (
  jwe: string,
  keys: readonly KeyObject[],
  alg: string,
  enc: string,
): Promise<Uint8Array> =>
  firstThatWorks(keys, async (key) => {
    const { plaintext } = await compactDecrypt(jwe, key, {
      keyManagementAlgorithms: [alg],
      contentEncryptionAlgorithms: [enc],
    });
    return plaintext;
  });

/** Verifies a compact JWS and returns its payload bytes untouched. */
export const verifyJws = (jws: string, keys: readonly KeyObject[], alg: string): Promise<Uint8Array> =>
  firstThatWorks(keys, async (key) => (await compactVerify(jws, key, { algorithms: [alg] })).payload);

export const verifyJwt = (jwt: string, keys: readonly KeyObject[], alg: string): Promise<JWTPayload> =>
  firstThatWorks(
    keys,
    async (key) => (await jwtVerify(jwt, key, { algorithms: [alg], clockTolerance: 30 })).payload,
  );
