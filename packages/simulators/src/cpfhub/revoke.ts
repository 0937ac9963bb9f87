import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm, sendJson } from '../http.ts';
import { authenticateClient } from './client-auth.ts';
import type { CpfhubContext } from './context.ts';
import { invalidRequest } from './errors.ts';

/**
 * POST /oauth/revoke (RFC 7009). Every well-formed, authenticated request gets 200 whether or not
 * the token was known, so the endpoint tells nobody which tokens exist. token_type_hint is only
 * a hint (§2.1): both kinds are looked up whatever it says.
 */
export const REVOKE_PATH = '/oauth/revoke';

export const handleRevoke = async (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  const form = await readForm(req);
  const client = authenticateClient(ctx.clients, req, form);
  const token = form.get('token');
  if (!token) throw invalidRequest('token is required');
  ctx.tokens.revoke(client.clientId, token);
  ctx.controls.stats.revocations++;
  sendJson(res, 200, {});
};
