import type { IncomingMessage, ServerResponse } from 'node:http';
import { redeemAuthorisationCode, sendAccessToken } from '../signed-api.ts';
import { SGVERIFY_ATTRIBUTES } from './attributes.ts';
import type { SgVerifyContext } from './context.ts';

/** POST /sgverify/v2/token. The spec marks state as required here, so it is. */
export const TOKEN_PATH = '/sgverify/v2/token';

export const handleToken = async (
  ctx: SgVerifyContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> => {
  const grant = await redeemAuthorisationCode(ctx, req, path, {
    stateRequired: true,
    redirectMismatch: "redirect_uri does not match the QR code's callback",
    stateMismatch: "state does not match the QR code's state",
  });
  // SG-Verify partners are onboarded with a fixed attribute list, not asked per scan; the token
  // carries everything the simulator can share and the person call's attributes pick from it.
  sendAccessToken(res, await ctx.tokens.issue({ subject: grant.uuid, scope: SGVERIFY_ATTRIBUTES }));
};
