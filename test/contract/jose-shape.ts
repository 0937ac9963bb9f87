/**
 * What can be checked of an `application/jose` body without its keys: a compact JWS (three parts)
 * or JWE (five), every part base64url, and a protected header that decodes to a JSON object naming
 * its `alg` (and, for a JWE, its `enc`).
 */
const BASE64URL = /^[A-Za-z0-9_-]*$/;

const decodedHeader = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
};

export const joseShapeProblems = (body: string): string[] => {
  const parts = body.split('.');
  if (parts.length !== 3 && parts.length !== 5) {
    return [`a compact JWS has 3 parts and a JWE 5; this has ${parts.length}`];
  }
  const problems: string[] = [];
  if (!parts.every((part) => BASE64URL.test(part))) problems.push('a part is not base64url');
  const header = decodedHeader(parts[0] ?? '');
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    return [...problems, 'the protected header is not a base64url JSON object'];
  }
  const fields = header as Record<string, unknown>;
  if (typeof fields.alg !== 'string') problems.push('the protected header names no alg');
  if (parts.length === 5 && typeof fields.enc !== 'string') problems.push('the JWE header names no enc');
  return problems;
};
