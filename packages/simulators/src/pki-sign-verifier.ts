import { type KeyObject, verify } from 'node:crypto';

/**
 * The gateway side of Myinfo's PKI_SIGN request signing (Myinfo v3 spec, Security > Request
 * Signing), written from the spec rather than from our client so that a simulator using it
 * catches bugs in the client instead of sharing them.
 *
 * Header: `PKI_SIGN app_id="…",nonce="…",signature_method="RS256",signature="…",timestamp="…"`,
 * optionally followed by `,Bearer <access token>` on data calls. The signature is RS256 over
 * `METHOD&<scheme://host/path as called>&<name=value pairs joined by &>`, where the pairs are the
 * request's query (GET) or form body (POST) parameters plus app_id, nonce, signature_method and
 * timestamp, sorted by name, values as sent before percent-encoding.
 */
export type PkiSignFailure =
  | 'missing_header'
  | 'malformed_header'
  | 'unknown_app'
  | 'unsupported_method'
  | 'stale_timestamp'
  | 'bad_signature'
  | 'replayed_nonce';

export class PkiSignRejected extends Error {
  override name = 'PkiSignRejected';
  constructor(
    readonly reason: PkiSignFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface PkiSignAuthorization {
  appId: string;
  nonce: string;
  signatureMethod: string;
  signature: string;
  timestamp: string;
  /** The access token after `,Bearer `, when the header carries one. */
  bearer?: string;
}

export interface SignedRequest {
  authorization: string | undefined;
  method: 'GET' | 'POST';
  /** Scheme, host and path exactly as called, without the query string. */
  url: string;
  /** The query (GET) or form body (POST) parameters, decoded. */
  params: ReadonlyMap<string, string>;
}

const SCHEME = 'PKI_SIGN ';
const AUTH_PARAMS = ['app_id', 'nonce', 'signature_method', 'signature', 'timestamp'] as const;
type AuthParam = (typeof AUTH_PARAMS)[number];
const isAuthParam = (name: string): name is AuthParam => (AUTH_PARAMS as readonly string[]).includes(name);

const PARAM = /([a-z_]+)="([^"]*)"/y;
const SEPARATOR = /,[ \t]*/y;
const BEARER = /Bearer ([A-Za-z0-9_.-]+)$/y;
// Standard base64 as the spec's sample produces, or its URL-safe form; anything else is not a signature.
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;

const malformed = (message: string) => new PkiSignRejected('malformed_header', message);

const matchAt = (pattern: RegExp, text: string, at: number): RegExpExecArray | null => {
  pattern.lastIndex = at;
  return pattern.exec(text);
};

/** Parses the header strictly: each of the five parameters exactly once, in any order, nothing else. */
export const parsePkiSignAuthorization = (header: string | undefined): PkiSignAuthorization => {
  if (!header) throw new PkiSignRejected('missing_header', 'Authorization header is missing');
  if (!header.startsWith(SCHEME)) throw malformed('Authorization header must use the PKI_SIGN scheme');
  const fields = new Map<AuthParam, string>();
  let bearer: string | undefined;
  let at = SCHEME.length;
  for (;;) {
    const param = matchAt(PARAM, header, at);
    if (!param) throw malformed(`unreadable PKI_SIGN parameter at position ${at}`);
    const [, name = '', value = ''] = param;
    if (!isAuthParam(name)) throw malformed(`unexpected PKI_SIGN parameter ${name}`);
    if (fields.has(name)) throw malformed(`PKI_SIGN parameter ${name} is repeated`);
    fields.set(name, value);
    at = PARAM.lastIndex;
    if (at === header.length) break;
    if (!matchAt(SEPARATOR, header, at)) throw malformed(`unexpected text at position ${at}`);
    at = SEPARATOR.lastIndex;
    const token = matchAt(BEARER, header, at);
    if (token) {
      bearer = token[1];
      break;
    }
  }
  const missing = AUTH_PARAMS.filter((name) => !fields.get(name));
  if (missing.length) throw malformed(`PKI_SIGN parameters missing or empty: ${missing.join(',')}`);
  const field = (name: AuthParam) => fields.get(name) ?? '';
  return {
    appId: field('app_id'),
    nonce: field('nonce'),
    signatureMethod: field('signature_method'),
    signature: field('signature'),
    timestamp: field('timestamp'),
    ...(bearer ? { bearer } : {}),
  };
};

export const pkiSignBaseString = (
  request: Omit<SignedRequest, 'authorization'>,
  auth: PkiSignAuthorization,
) => {
  const pairs: [string, string][] = [
    ['app_id', auth.appId],
    ['nonce', auth.nonce],
    ['signature_method', auth.signatureMethod],
    ['timestamp', auth.timestamp],
  ];
  for (const [name, value] of request.params) {
    // The spec merges these into one map; a request parameter with an auth name would be ambiguous.
    if (isAuthParam(name)) throw malformed(`request parameter ${name} collides with a PKI_SIGN parameter`);
    pairs.push([name, value]);
  }
  pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${request.method}&${request.url}&${pairs.map(([name, value]) => `${name}=${value}`).join('&')}`;
};

export interface PkiSignVerifierOptions {
  /** The registered public key for an app_id, or undefined when the app is not onboarded. */
  publicKeyFor: (appId: string) => KeyObject | undefined;
  /** How far the timestamp may be from our clock, either way; the spec's gateways allow minutes. */
  toleranceMs?: number;
  now?: () => number;
}

export interface PkiSignVerifier {
  /** Returns the parsed header when the request is signed, fresh and not replayed; else throws PkiSignRejected. */
  verify(request: SignedRequest): PkiSignAuthorization;
}

export const createPkiSignVerifier = ({
  publicKeyFor,
  toleranceMs = 5 * 60_000,
  now = Date.now,
}: PkiSignVerifierOptions): PkiSignVerifier => {
  // nonce per app → when it may be forgotten (its timestamp can no longer pass the window check)
  const seenNonces = new Map<string, number>();

  const forgetOldNonces = (at: number) => {
    for (const [key, forgetAt] of seenNonces) if (forgetAt < at) seenNonces.delete(key);
  };

  return {
    verify(request) {
      const auth = parsePkiSignAuthorization(request.authorization);
      const publicKey = publicKeyFor(auth.appId);
      if (!publicKey) throw new PkiSignRejected('unknown_app', `app_id ${auth.appId} is not registered`);
      if (auth.signatureMethod !== 'RS256') {
        throw new PkiSignRejected('unsupported_method', 'signature_method must be RS256');
      }
      if (!/^\d{1,16}$/.test(auth.timestamp)) throw malformed('timestamp must be Unix epoch milliseconds');
      const current = now();
      const timestamp = Number(auth.timestamp);
      if (Math.abs(current - timestamp) > toleranceMs) {
        throw new PkiSignRejected('stale_timestamp', 'timestamp is outside the allowed window');
      }
      if (!BASE64.test(auth.signature)) throw malformed('signature is not base64');
      const baseString = pkiSignBaseString(request, auth);
      const valid = verify(
        'sha256',
        Buffer.from(baseString, 'utf8'),
        publicKey,
        Buffer.from(auth.signature, 'base64'),
      );
      if (!valid) {
        throw new PkiSignRejected('bad_signature', 'signature does not verify over the base string');
      }
      // Recorded only once the signature verified, so a forged request cannot burn someone's nonce.
      const nonceKey = `${auth.appId}\n${auth.nonce}`;
      forgetOldNonces(current);
      if (seenNonces.has(nonceKey)) throw new PkiSignRejected('replayed_nonce', 'nonce has been used before');
      seenNonces.set(nonceKey, Math.max(current, timestamp) + toleranceMs);
      return auth;
    },
  };
};
