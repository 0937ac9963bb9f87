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
