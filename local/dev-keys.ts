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
}

export const newSigningJwk = async (): Promise<JWK> => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid: `secpass-${randomBytes(6).toString('hex')}` };
};

export const loadOrCreateDevKeys = async (file: string | undefined): Promise<DevKeys> => {
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as DevKeys;
  const keys: DevKeys = {
    signingJwk: await newSigningJwk(),
    myinfoClientSecret: randomBytes(24).toString('base64url'),
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
