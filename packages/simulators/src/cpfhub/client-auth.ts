import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RegisteredClient } from './context.ts';
import { CpfhubError, invalidRequest } from './errors.ts';

/**
 * Client authentication at the token and revocation endpoints (RFC 6749 §2.3.1): HTTP Basic with
 * both parts form-encoded, or client_id and client_secret in the body; one method per request.
 */
const invalidClient = (description: string) =>
  new CpfhubError(401, 'invalid_client', description, { 'WWW-Authenticate': 'Basic realm="CPFHub"' });

const BASIC = /^Basic ([A-Za-z0-9+/]+={0,2})$/i;

const formDecoded = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};

const basicCredentials = (header: string): { clientId: string; clientSecret: string } => {
  const match = BASIC.exec(header);
  if (!match) throw invalidClient('Authorization must be HTTP Basic with the client credentials');
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const clientId = colon < 0 ? undefined : formDecoded(decoded.slice(0, colon));
  const clientSecret = colon < 0 ? undefined : formDecoded(decoded.slice(colon + 1));
  if (!clientId || clientSecret === undefined) throw invalidClient('malformed Basic credentials');
  return { clientId, clientSecret };
};

const sameSecret = (given: string, expected: string): boolean =>
  timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(expected).digest(),
  );

export const authenticateClient = (
  clients: ReadonlyMap<string, RegisteredClient>,
  req: IncomingMessage,
  form: ReadonlyMap<string, string>,
): RegisteredClient => {
  const header = req.headers.authorization;
  const formId = form.get('client_id');
  const formSecret = form.get('client_secret');
  let credentials: { clientId: string; clientSecret: string };
  if (header !== undefined) {
    if (formSecret !== undefined) {
      throw invalidRequest('use one client authentication method: HTTP Basic or client_secret, not both');
    }
    credentials = basicCredentials(header);
    if (formId !== undefined && formId !== credentials.clientId) {
      throw invalidClient('client_id does not match the Basic credentials');
    }
  } else {
    if (!formId || formSecret === undefined) throw invalidClient('client authentication is required');
    credentials = { clientId: formId, clientSecret: formSecret };
  }
  const client = clients.get(credentials.clientId);
  if (!client || !sameSecret(credentials.clientSecret, client.clientSecret)) {
    throw invalidClient('client authentication failed');
  }
  return client;
};
