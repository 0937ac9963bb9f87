import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ACCESS_TOKEN_LIFETIME_SECONDS } from '../access-token.ts';
import { calledUrl, readForm, SimulatorError, sendJson } from '../http.ts';
import type { SimulatorContext } from './context.ts';
import { verifySignedRequest } from './gateway.ts';

/**
 * POST /biz/v2/token. The gateway's checks come first and answer 401 (signature, timestamp,
 * nonce, app, client credentials); then the authorisation code's own checks answer 400, as the
 * Myinfo spec lists them. A code is spent only when the exchange succeeds.
 */
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

export const handleToken = async (
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> => {
  const body = await readForm(req);
  const auth = verifySignedRequest(ctx, {
    authorization: req.headers.authorization,
    method: 'POST',
    url: calledUrl(req, path),
    params: body,
  });
  const field = (name: string) => body.get(name) ?? '';
  if (field('client_id') !== auth.appId) throw new SimulatorError(401, 'client_id does not match app_id');
  if (!sameSecret(field('client_secret'), ctx.clientSecret)) {
    throw new SimulatorError(401, 'client_secret is incorrect');
  }
  if (field('grant_type') !== 'authorization_code') {
    throw new SimulatorError(400, 'grant_type must be authorization_code');
  }
  const code = field('code');
  if (!code) throw new SimulatorError(400, 'code is required');
  const found = ctx.codes.lookup(code);
  if (found.state !== 'valid') throw new SimulatorError(400, CODE_PROBLEMS[found.state]);
  const grant = found.value;
  if (grant.clientId !== auth.appId) {
    throw new SimulatorError(400, 'authorisation code was issued to another client');
  }
  if (field('redirect_uri') !== grant.redirectUri) {
    throw new SimulatorError(400, 'redirect_uri does not match the one given at authorise');
  }
  if (body.has('state') && field('state') !== grant.state) {
    throw new SimulatorError(400, 'state does not match the one given at authorise');
  }
  ctx.codes.consume(code);
  const accessToken = await ctx.tokens.issue({ subject: grant.subject, scope: grant.attributes });
  sendJson(res, 200, {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ACCESS_TOKEN_LIFETIME_SECONDS,
  });
};
