import type { IncomingMessage, ServerResponse } from 'node:http';
import { redeemAuthorisationCode, sendAccessToken } from '../signed-api.ts';
import type { SimulatorContext } from './context.ts';

/** POST /biz/v2/token: the shared checks, then an access token for the consented subject and scope. */
export const handleToken = async (
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> => {
  const grant = await redeemAuthorisationCode(ctx, req, path, {
    stateRequired: false,
    redirectMismatch: 'redirect_uri does not match the one given at authorise',
    stateMismatch: 'state does not match the one given at authorise',
  });
  sendAccessToken(res, await ctx.tokens.issue({ subject: grant.subject, scope: grant.attributes }));
};
