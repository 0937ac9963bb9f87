import { SimulatorError } from '../http.ts';

/**
 * Reads an SG-Verify QR URL the way the spec ("Generating QR Code") builds it:
 * `<base>?callback=…&client_id=…[&nonce=…]&qr_type=…&signature_method=…&state=…&timestamp_expiry=…
 * &timestamp_start=…&v=…&signature=…`. The signature covers the exact characters before
 * `&signature=`, so the URL is taken apart by hand rather than by a URL parser that would
 * normalise it. Only the layout is checked here; what the values mean is the scan's business.
 */
export const QR_PARAMETERS = [
  'callback',
  'client_id',
  'nonce',
  'qr_type',
  'signature_method',
  'state',
  'timestamp_expiry',
  'timestamp_start',
  'v',
] as const;

type QrParameter = (typeof QR_PARAMETERS)[number];

// The spec makes nonce mandatory for dynamic codes only; the scan enforces that.
const OPTIONAL: ReadonlySet<QrParameter> = new Set(['nonce']);
const SIGNATURE_MARK = '&signature=';

export interface QrUrl {
  /** The exact string the partner signed: everything before `&signature=`. */
  signedPart: string;
  /** The signature's base64 text (standard or URL-safe), percent-decoded. */
  signature: string;
  callback: string;
  clientId: string;
  nonce?: string;
  qrType: string;
  signatureMethod: string;
  state: string;
  timestampExpiry: string;
  timestampStart: string;
  version: string;
}

const invalid = (message: string) => new SimulatorError(400, `invalid QR code: ${message}`);

const isQrParameter = (name: string): name is QrParameter =>
  (QR_PARAMETERS as readonly string[]).includes(name);

// Strict percent-decoding (RFC 3986): a `+` stays a `+`, which matters for a raw base64 signature.
const percentDecoded = (name: string, raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalid(`${name} is not properly percent-encoded`);
  }
};

const readParameters = (query: string): Map<QrParameter, string> => {
  const found = new Map<QrParameter, string>();
  let lastPosition = -1;
  for (const pair of query.split('&')) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw invalid(`"${pair}" is not a name=value pair`);
    const name = pair.slice(0, equals);
    if (name === 'signature') throw invalid('signature must appear once, as the last parameter');
    if (!isQrParameter(name)) throw invalid(`unexpected parameter ${name}`);
    if (found.has(name)) throw invalid(`parameter ${name} is repeated`);
    const position = QR_PARAMETERS.indexOf(name);
    // Order matters because the partner signed this exact string; a reordered URL is another one.
    if (position < lastPosition) throw invalid(`parameters must be in the order ${QR_PARAMETERS.join(',')}`);
    lastPosition = position;
    const decoded = percentDecoded(name, pair.slice(equals + 1));
    if (!decoded) throw invalid(`${name} is empty`);
    found.set(name, decoded);
  }
  const missing = QR_PARAMETERS.filter((name) => !OPTIONAL.has(name) && !found.has(name));
  if (missing.length) throw invalid(`missing ${missing.join(',')}`);
  return found;
};

export const parseQrUrl = (url: string, qrBaseUrl: string): QrUrl => {
  const start = `${qrBaseUrl}?`;
  if (!url.startsWith(start)) throw invalid(`not an SG-Verify URL (expected ${start}…)`);
  const mark = url.lastIndexOf(SIGNATURE_MARK);
  if (mark < start.length) throw invalid('signature is missing');
  const rawSignature = url.slice(mark + SIGNATURE_MARK.length);
  if (rawSignature.includes('&')) throw invalid('signature must be the last parameter');
  const signature = percentDecoded('signature', rawSignature);
  if (!signature) throw invalid('signature is empty');
  const signedPart = url.slice(0, mark);
  const params = readParameters(signedPart.slice(start.length));
  const param = (name: QrParameter) => params.get(name) ?? '';
  const nonce = params.get('nonce');
  return {
    signedPart,
    signature,
    callback: param('callback'),
    clientId: param('client_id'),
    ...(nonce !== undefined ? { nonce } : {}),
    qrType: param('qr_type'),
    signatureMethod: param('signature_method'),
    state: param('state'),
    timestampExpiry: param('timestamp_expiry'),
    timestampStart: param('timestamp_start'),
    version: param('v'),
  };
};
