/**
 * Singpass's requirements for a relying party's JWKS, checked whenever the issuer fetches one:
 * every key EC on P-256, P-384 or P-521 with a `kid` of its own and a `use`; at least one signing
 * key and one encryption key; encryption keys for ECDH-ES with AES key wrap; no private part.
 * The library accepts more (RSA keys, keys without `kid` or `use`), so these are checked first.
 */
const CURVES: ReadonlySet<string> = new Set(['P-256', 'P-384', 'P-521']);
const ENCRYPTION_ALGS: ReadonlySet<string> = new Set(['ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW']);
const PRIVATE_PARTS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const keyProblem = (key: Record<string, unknown>, index: number): string | undefined => {
  const name = `keys[${index}]`;
  if (PRIVATE_PARTS.some((part) => part in key)) return `${name} exposes a private key`;
  if (key.kty !== 'EC' || typeof key.crv !== 'string' || !CURVES.has(key.crv)) {
    return `${name} must be an EC key on P-256, P-384 or P-521`;
  }
  if (typeof key.kid !== 'string' || key.kid === '') return `${name} must have a kid`;
  if (key.use !== 'sig' && key.use !== 'enc') return `${name} must have use "sig" or "enc"`;
  if (key.use === 'enc' && (typeof key.alg !== 'string' || !ENCRYPTION_ALGS.has(key.alg))) {
    return `${name} is an encryption key, so its alg must be ECDH-ES+A128KW, +A192KW or +A256KW`;
  }
  return undefined;
};

/** Why the JWKS falls short of Singpass's requirements, or undefined when it does not. */
export const clientJwksProblem = (jwks: unknown): string | undefined => {
  const keys = isRecord(jwks) && Array.isArray(jwks.keys) ? jwks.keys : undefined;
  if (!keys?.every(isRecord)) return 'the JWKS must be an object with a keys array of JWKs';
  for (const [index, key] of keys.entries()) {
    const problem = keyProblem(key, index);
    if (problem) return problem;
  }
  const kids = keys.map((key) => key.kid);
  if (new Set(kids).size !== kids.length) return 'every key must have a kid of its own';
  if (!keys.some((key) => key.use === 'sig')) return 'the JWKS must have a signing key';
  if (!keys.some((key) => key.use === 'enc')) return 'the JWKS must have an encryption key';
  return undefined;
};

/**
 * The library's fetch, for client JWKS only. It refuses special-use addresses (SSRF protection),
 * yet here every client JWKS is on this machine: its dispatcher is dropped, and anything not on
 * loopback refused instead. A JWKS Singpass would refuse fails the fetch, which the library
 * reports as a key set it could not refresh.
 */
export const fetchClientJwks = async (
  url: string | URL | Request,
  options: RequestInit & { dispatcher?: unknown } = {},
): Promise<Response> => {
  const { dispatcher: _ssrfGuard, ...rest } = options;
  const target = new URL(url instanceof Request ? url.url : url);
  if (target.hostname !== '127.0.0.1') throw new Error('the simulator fetches only from loopback');
  const response = await globalThis.fetch(target, rest);
  const text = await response.text();
  if (response.ok) {
    let problem: string | undefined;
    try {
      problem = clientJwksProblem(JSON.parse(text));
    } catch {
      problem = 'the JWKS is not JSON';
    }
    if (problem) throw new Error(`the client JWKS breaks Singpass's requirements: ${problem}`);
  }
  // The body is read and decoded now, so the headers that described it on the wire no longer do.
  const headers = new Headers(response.headers);
  headers.delete('content-encoding');
  headers.delete('content-length');
  return new Response(text, { status: response.status, headers });
};
