import type { APIGatewayProxyResult } from 'aws-lambda';

// Nothing Secpass answers may be cached by a browser or proxy: it is all single-use or personal.
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export const jsonResponse = (
  statusCode: number,
  body: unknown,
  caching: Record<string, string> = NO_STORE,
): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...caching, 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

/** An upstream's JSON answer, passed on byte for byte. */
export const passThroughJson = (statusCode: number, body: string): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...NO_STORE, 'Content-Type': 'application/json' },
  body,
});

export const joseResponse = (token: string): APIGatewayProxyResult => ({
  statusCode: 200,
  headers: { ...NO_STORE, 'Content-Type': 'application/jose' },
  body: token,
});

export const redirectResponse = (location: string): APIGatewayProxyResult => ({
  statusCode: 302,
  headers: { ...NO_STORE, Location: location },
  body: '',
});

export const errorBody = (code: string, message: string) => ({ error: code, message });

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A minimal page for a person, not an app: a phone after an SG-Verify scan. */
export const htmlResponse = (statusCode: number, message: string): APIGatewayProxyResult => ({
  statusCode,
  headers: { ...NO_STORE, 'Content-Type': 'text/html; charset=utf-8' },
  body: `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>Secpass</title><p>${escapeHtml(message)}</p>`,
});
