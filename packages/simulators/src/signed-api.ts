import { createHash, createPublicKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACCESS_TOKEN_LIFETIME_SECONDS, type AccessGrant, type AccessTokens } from './access-token.ts';
import { calledUrl, readForm, SimulatorError, sendJson } from './http.ts';
import {
  type PkiSignAuthorization,
  PkiSignRejected,
  type PkiSignVerifier,
  type SignedRequest,
} from './pki-sign-verifier.ts';
import type { SingleUseStore } from './single-use-store.ts';

/**
 * What the Myinfo-family APIs (Myinfo Business, SG-Verify) share behind their gateway: PKI_SIGN
 * on every call, the token endpoint's code checks, and the data call's bearer and query checks.
 * Each simulator keeps only what differs: its subject, its attributes and its payload.
 */

/** The API gateway: any PKI_SIGN failure is its 401. */
export const verifySignedRequest = (pki: PkiSignVerifier, request: SignedRequest): PkiSignAuthorization => {
  try {
    return pki.verify(request);
  } catch (error) {
    if (error instanceof PkiSignRejected) {
      throw new SimulatorError(401, `PKI_SIGN rejected: ${error.message}`);
    }
    throw error;
  }
};

const sameSecret = (given: string, expected: string): boolean =>
  timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(expected).digest(),
  );

const CODE_PROBLEMS = {
  unknown: 'authorisation code is invalid',
  used: 'authorisation code has already been used',
  expired: 'authorisation code has expired',
} as const;

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  state: string;
}

export interface TokenEndpoint<G extends CodeGrant> {
  clientSecret: string;
  pki: PkiSignVerifier;
  codes: SingleUseStore<G>;
}

export interface CodeRules {
  /** SG-Verify's spec requires state at /token; Myinfo's makes it optional. */
  stateRequired: boolean;
  redirectMismatch: string;
  stateMismatch: string;
}

/**
 * The token endpoint's checks: the gateway's first (401: signature, timestamp, nonce, app,
 * client credentials), then the code's own (400). The code is spent only when all pass.
 */
export const redeemAuthorisationCode = async <G extends CodeGrant>(
  endpoint: TokenEndpoint<G>,
  req: IncomingMessage,
  path: string,
  rules: CodeRules,
): Promise<G> => {
  const body = await readForm(req);
  const auth = verifySignedRequest(endpoint.pki, {
    authorization: req.headers.authorization,
    method: 'POST',
    url: calledUrl(req, path),
    params: body,
  });
  const field = (name: string) => body.get(name) ?? '';
  if (field('client_id') !== auth.appId) throw new SimulatorError(401, 'client_id does not match app_id');
  if (!sameSecret(field('client_secret'), endpoint.clientSecret)) {
    throw new SimulatorError(401, 'client_secret is incorrect');
  }
  if (field('grant_type') !== 'authorization_code') {
    throw new SimulatorError(400, 'grant_type must be authorization_code');
  }
  const code = field('code');
  if (!code) throw new SimulatorError(400, 'code is required');
  const found = endpoint.codes.lookup(code);
  if (found.state !== 'valid') throw new SimulatorError(400, CODE_PROBLEMS[found.state]);
  const grant = found.value;
  if (grant.clientId !== auth.appId) {
    throw new SimulatorError(400, 'authorisation code was issued to another client');
  }
  if (field('redirect_uri') !== grant.redirectUri) throw new SimulatorError(400, rules.redirectMismatch);
  if ((rules.stateRequired || body.has('state')) && field('state') !== grant.state) {
    throw new SimulatorError(400, rules.stateMismatch);
  }
  endpoint.codes.consume(code);
  return grant;
};

export const sendAccessToken = (res: ServerResponse, accessToken: string): void =>
  sendJson(res, 200, {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
  });

// A UEN is at most ten characters, and that is what a subentity names.
const MAX_SUBENTITY_LENGTH = 10;

const requestedAttributes = (list: string | undefined): string[] => {
  if (!list) throw new SimulatorError(400, 'attributes is required');
  const names = list.split(',');
  if (names.some((name) => !name)) throw new SimulatorError(400, 'attributes must not contain empty names');
  return [...new Set(names)];
};

/**
 * The data call's checks shared by both services: PKI_SIGN with `,Bearer <token>`, client_id,
 * a well-formed attribute list and subentity, and a valid access token. As with Myinfo, refusals
 * are 401 and only a malformed query is a 400.
 */
export const authenticateDataCall = async (
  api: { pki: PkiSignVerifier; tokens: AccessTokens },
  req: IncomingMessage,
  target: { path: string; query: ReadonlyMap<string, string> },
): Promise<{ grant: AccessGrant; attributes: string[] }> => {
  const auth = verifySignedRequest(api.pki, {
    authorization: req.headers.authorization,
    method: 'GET',
    url: calledUrl(req, target.path),
    params: target.query,
  });
  if (!auth.bearer) throw new SimulatorError(401, 'Bearer access token is missing');
  if (target.query.get('client_id') !== auth.appId) {
    throw new SimulatorError(401, 'client_id does not match app_id');
  }
  const attributes = requestedAttributes(target.query.get('attributes'));
  const subentity = target.query.get('subentity');
  if (subentity !== undefined && (!subentity || subentity.length > MAX_SUBENTITY_LENGTH)) {
    throw new SimulatorError(400, `subentity must be 1 to ${MAX_SUBENTITY_LENGTH} characters`);
  }
  return { grant: await api.tokens.verify(auth.bearer), attributes };
};

export const sendJose = (res: ServerResponse, jwe: string): void => {
  res.writeHead(200, { 'Content-Type': 'application/jose', 'Cache-Control': 'no-store' });
  res.end(jwe);
};

/** The registered client's key: it verifies PKI_SIGN and receives the JWE, so it must be RSA. */
export const rsaPublicKey = (pem: string): KeyObject => {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error('clientPublicKeyPem must hold an RSA key');
  return key;
};
