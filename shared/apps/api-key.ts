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

/**
 * The Authorization header however the client spelt its name, or undefined when it sent none.
 * Only a call with no such header at all may be a sandbox call, so one spelt `AUTHORIZATION`, or
 * sent twice under two spellings, must never pass for absent: the latter is answered as no valid key.
 */
export const authorizationHeaderOf = (
  headers: Readonly<Record<string, string | undefined>> | null | undefined,
): string | undefined => {
  const values = Object.entries(headers ?? {})
    .filter(([name]) => name.toLowerCase() === 'authorization')
    .map(([, value]) => value ?? '');
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : '';
};
