import { createHash, randomBytes } from 'node:crypto';

export const generateApiKey = (): string => `spk_${randomBytes(32).toString('base64url')}`;

export const hashApiKey = (apiKey: string): string => createHash('sha256').update(apiKey).digest('hex');

const API_KEY = /^spk_[A-Za-z0-9_-]{43}$/;

/** `Authorization: Basic <api key>` (the key itself, as the spec shows, not user:password). */
export const apiKeyFromAuthorization = (header: string | undefined): string | undefined => {
  const match = /^Basic ([^\s]+)$/i.exec(header?.trim() ?? '');
  const key = match?.[1];
  return key && API_KEY.test(key) ? key : undefined;
};
