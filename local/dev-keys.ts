import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

/**
 * Dev-only secrets for local mode, generated on first start and kept in the git-ignored
 * `.local/` so tokens stay verifiable across restarts. Never used outside loopback.
 */
export interface DevKeys {
  signingJwk: JWK;
  myinfoClientSecret: string;
  /** Our Singpass relying-party keys: client-assertion signing and ID-token decryption. */
  singpassSigningJwk: JWK;
  singpassEncryptionJwk: JWK;
  /** The same, for our Singpass FAPI 2.0 registration. */
  fapiSigningJwk: JWK;
  fapiEncryptionJwk: JWK;
}

const newEcJwk = async (alg: 'ES256' | 'ECDH-ES+A256KW', prefix: string): Promise<JWK> => {
  const { privateKey } = await generateKeyPair(alg, { crv: 'P-256', extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `${prefix}-${randomBytes(6).toString('hex')}` };
};

export const newSigningJwk = (): Promise<JWK> => newEcJwk('ES256', 'secpass');

/** Keys kept from an earlier start are reused; any a newer version needs are added. */
export const loadOrCreateDevKeys = async (file: string | undefined): Promise<DevKeys> => {
  const kept: Partial<DevKeys> = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const keys: DevKeys = {
    signingJwk: kept.signingJwk ?? (await newSigningJwk()),
    myinfoClientSecret: kept.myinfoClientSecret ?? randomBytes(24).toString('base64url'),
    singpassSigningJwk: kept.singpassSigningJwk ?? (await newEcJwk('ES256', 'rp-sig')),
    singpassEncryptionJwk: kept.singpassEncryptionJwk ?? (await newEcJwk('ECDH-ES+A256KW', 'rp-enc')),
    fapiSigningJwk: kept.fapiSigningJwk ?? (await newEcJwk('ES256', 'fapi-sig')),
    fapiEncryptionJwk: kept.fapiEncryptionJwk ?? (await newEcJwk('ECDH-ES+A256KW', 'fapi-enc')),
  };
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify(keys, null, 2), { mode: 0o600 });
  }
  return keys;
};

export const newAppKeyPair = async (): Promise<{ publicJwk: JWK; privateJwk: JWK }> => {
  const { publicKey, privateKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true });
  const kid = `app-${randomBytes(6).toString('hex')}`;
  return {
    publicJwk: { ...(await exportJWK(publicKey)), kid },
    privateJwk: { ...(await exportJWK(privateKey)), kid },
  };
};
