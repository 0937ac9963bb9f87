import type { KoaContextWithOIDC } from 'oidc-provider';
import { ROUTES } from './mount.ts';

/**
 * Where the library's error code differs from the one Singpass documents for the same fault, the
 * answer is renamed on its way out; everything else passes untouched.
 * - No `openid` scope: Singpass says `invalid_scope`. The library gets there first whenever a
 *   `nonce` is sent too (which Singpass requires) and says `invalid_request`; that one refusal is
 *   recognised by the library's wording.
 * - A client JWKS that cannot be used: the library says `invalid_client_metadata`; Singpass says
 *   `invalid_client` at PAR and token (its assertion cannot be verified) and `invalid_request` at
 *   userinfo.
 */
interface ErrorBody {
  error: string;
  error_description?: unknown;
}

const isErrorBody = (body: unknown): body is ErrorBody =>
  typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string';

const MISSING_OPENID_WORDING = 'openid scope must be requested';

const singpassCode = (path: string, body: ErrorBody): string | undefined => {
  if (
    path === ROUTES.pushed_authorization_request &&
    body.error === 'invalid_request' &&
    typeof body.error_description === 'string' &&
    body.error_description.startsWith(MISSING_OPENID_WORDING)
  ) {
    return 'invalid_scope';
  }
  if (body.error === 'invalid_client_metadata') {
    return path === ROUTES.userinfo ? 'invalid_request' : 'invalid_client';
  }
  return undefined;
};

export const renameToSingpassCodes = async (
  ctx: KoaContextWithOIDC,
  next: () => Promise<void>,
): Promise<void> => {
  await next();
  const { body } = ctx;
  if (!isErrorBody(body)) return;
  const renamed = singpassCode(ctx.path, body);
  if (!renamed) return;
  const challenge = ctx.response.get('WWW-Authenticate');
  if (challenge)
    ctx.set('WWW-Authenticate', challenge.replace(`error="${body.error}"`, `error="${renamed}"`));
  body.error = renamed;
};
