import { createSign, type KeyObject, randomBytes } from 'node:crypto';

/**
 * Myinfo's PKI_SIGN request signing (spec: Security > Request Signing). The base string is
 * `METHOD&URL&k=v&…` over the request's own query/body parameters plus app_id, nonce,
 * signature_method and timestamp, sorted by name, values not percent-encoded.
 */
export interface PkiSignRequest {
  method: 'GET' | 'POST';
  /** Scheme, host and path exactly as called, without the query string. */
  url: string;
  /** The query (GET) or form body (POST) parameters the request carries. */
  params: Readonly<Record<string, string>>;
  appId: string;
}

export interface PkiSignature {
  nonce: string;
  timestamp: string;
}

export const pkiBaseString = (request: PkiSignRequest, { nonce, timestamp }: PkiSignature): string => {
  const all: Record<string, string> = {
    ...request.params,
    app_id: request.appId,
    nonce,
    signature_method: 'RS256',
    timestamp,
  };
  const pairs = Object.keys(all)
    .sort()
    .map((name) => `${name}=${all[name]}`);
  return `${request.method}&${request.url}&${pairs.join('&')}`;
};

/** The Authorization header value, parameters in the order the spec lists them. */
export const pkiSignHeader = (
  request: PkiSignRequest,
  privateKey: KeyObject,
  signature: PkiSignature = { nonce: randomBytes(16).toString('hex'), timestamp: Date.now().toString() },
): string => {
  const signed = createSign('RSA-SHA256')
    .update(pkiBaseString(request, signature))
    .sign(privateKey, 'base64');
  return (
    `PKI_SIGN app_id="${request.appId}",nonce="${signature.nonce}",signature_method="RS256",` +
    `signature="${signed}",timestamp="${signature.timestamp}"`
  );
};
