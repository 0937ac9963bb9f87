import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm, sendJson } from '../http.ts';
import { authenticateClient } from './client-auth.ts';
import type { CpfhubContext, RegisteredClient } from './context.ts';
import { CpfhubError, invalidGrant, invalidRequest } from './errors.ts';
import { verifierMatches } from './pkce.ts';
import { type CpfhubScope, formatScope, parseScope } from './scopes.ts';
import type { IssuedTokens } from './tokens.ts';

/**
 * POST /oauth/token (RFC 6749 §4.1.3 and §6): the client authenticates first (401), then the
 * grant is checked (400). PKCE is required of every code, since CPFHub's clients all use it.
 */
export const TOKEN_PATH = '/oauth/token';

const required = (form: ReadonlyMap<string, string>, name: string): string => {
  const value = form.get(name);
  if (!value) throw invalidRequest(`${name} is required`);
  return value;
};

const sendTokens = (res: ServerResponse, tokens: IssuedTokens): void =>
  sendJson(res, 200, {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    scope: formatScope(tokens.scopes),
  });

const CODE_PROBLEMS = {
  unknown: 'authorization code is invalid',
  used: 'authorization code has already been used',
  expired: 'authorization code has expired',
} as const;

const authorizationCodeGrant = (
  ctx: CpfhubContext,
  client: RegisteredClient,
  form: ReadonlyMap<string, string>,
): IssuedTokens => {
  const code = required(form, 'code');
  const redirectUri = required(form, 'redirect_uri');
  const verifier = required(form, 'code_verifier');
  if (ctx.tokens.revokeIfRedeemed(code)) {
    throw invalidGrant('authorization code has already been used; the tokens issued for it are revoked');
  }
  const found = ctx.codes.lookup(code);
  if (found.state !== 'valid') throw invalidGrant(CODE_PROBLEMS[found.state]);
  // Spent by any attempt that names it, not only a successful one: a code presented with the
  // wrong client, redirect_uri or verifier has been intercepted and must not be tried again.
  ctx.codes.consume(code);
  const grant = found.value;
  if (grant.clientId !== client.clientId)
    throw invalidGrant('authorization code was issued to another client');
  if (grant.redirectUri !== redirectUri) {
    throw invalidGrant('redirect_uri does not match the authorization request');
  }
  if (!verifierMatches(verifier, grant.codeChallenge)) {
    throw invalidGrant('code_verifier does not match the code_challenge');
  }
  ctx.controls.stats.codeGrants++;
  return ctx.tokens.issueForCode(code, {
    clientId: client.clientId,
    userId: grant.userId,
    scopes: grant.scopes,
  });
};

const refreshTokenGrant = (
  ctx: CpfhubContext,
  client: RegisteredClient,
  form: ReadonlyMap<string, string>,
): IssuedTokens => {
  const refreshToken = required(form, 'refresh_token');
  const scopeText = form.get('scope');
  let scopes: CpfhubScope[] | undefined;
  if (scopeText !== undefined) {
    scopes = parseScope(scopeText);
    if (!scopes) throw new CpfhubError(400, 'invalid_scope', 'scope names an unknown scope');
  }
  const outcome = ctx.tokens.refresh(client.clientId, refreshToken, scopes);
  if (!outcome.ok) throw new CpfhubError(400, outcome.error, outcome.description);
  ctx.controls.stats.refreshGrants++;
  return outcome.tokens;
};

export const handleToken = async (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  const form = await readForm(req);
  const client = authenticateClient(ctx.clients, req, form);
  const grantType = required(form, 'grant_type');
  if (grantType === 'authorization_code') return sendTokens(res, authorizationCodeGrant(ctx, client, form));
  if (grantType === 'refresh_token') return sendTokens(res, refreshTokenGrant(ctx, client, form));
  throw new CpfhubError(400, 'unsupported_grant_type', `grant_type ${grantType} is not supported`);
};
