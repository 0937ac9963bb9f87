import type { IncomingMessage } from 'node:http';
import type { CpfhubContext } from './context.ts';
import type { CpfhubEmployee } from './employees.ts';
import { CpfhubError } from './errors.ts';
import type { CpfhubScope } from './scopes.ts';

/**
 * The API's Bearer check (RFC 6750). An API key speaks for the employer and sees everyone on the
 * payroll; a user's access token sees only that user's own records.
 */
export type Principal =
  | { kind: 'employer'; scopes: readonly CpfhubScope[] }
  | { kind: 'user'; userId: string; scopes: readonly CpfhubScope[] };

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

const invalidToken = (description: string) =>
  new CpfhubError(401, 'invalid_token', description, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });

const ACCESS_PROBLEMS = {
  unknown: 'the access token or API key is not recognised',
  expired: 'the access token has expired',
  revoked: 'the access token has been revoked',
} as const;

export const authenticateCaller = (ctx: CpfhubContext, req: IncomingMessage): Principal => {
  const header = req.headers.authorization;
  if (!header) throw invalidToken('an API key or access token is required as a Bearer token');
  const token = BEARER.exec(header)?.[1];
  if (!token) throw invalidToken('Authorization must be a Bearer token');
  const keyScopes = ctx.apiKeys.get(token);
  if (keyScopes) return { kind: 'employer', scopes: keyScopes };
  const access = ctx.tokens.checkAccess(token);
  if (access.state !== 'valid') throw invalidToken(ACCESS_PROBLEMS[access.state]);
  return { kind: 'user', userId: access.userId, scopes: access.scopes };
};

export const requireScope = (principal: Principal, scope: CpfhubScope): void => {
  if (!principal.scopes.includes(scope)) {
    throw new CpfhubError(403, 'insufficient_scope', `this call needs the scope ${scope}`, {
      'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"`,
    });
  }
};

/** Whose records the caller may see or submit. */
export const mayAccess = (principal: Principal, employee: CpfhubEmployee): boolean =>
  principal.kind === 'employer' || principal.userId === employee.userId;
