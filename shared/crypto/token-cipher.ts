import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SealingKey } from '../secrets/cpfhub-credentials.ts';

/** Ciphertext as stored: which key sealed it, the nonce, and ciphertext‖tag, base64url. */
export interface SealedText {
  kid: string;
  iv: string;
  data: string;
}

const TAG_BYTES = 16;

/**
 * AES-256-GCM with associated data: `context` (the grant and the app it belongs to) is bound into
 * the tag, so sealed tokens copied onto another grant's record do not open there.
 */
export const sealText = (plaintext: string, { kid, key }: SealingKey, context: string): SealedText => {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return { kid, iv: iv.toString('base64url'), data: data.toString('base64url') };
};

/** Throws when the key is gone or anything was altered. */
export const openText = (sealed: SealedText, keys: Map<string, Buffer>, context: string): string => {
  const key = keys.get(sealed.kid);
  if (!key) throw new Error('the key that sealed this text is no longer configured');
  const data = Buffer.from(sealed.data, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'))
    .setAAD(Buffer.from(context))
    .setAuthTag(data.subarray(data.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(data.subarray(0, data.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
};
