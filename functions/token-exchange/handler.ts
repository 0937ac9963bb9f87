import { callerOf } from '../../shared/apps/caller.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { jsonBody } from '../../shared/http/request.ts';
import { jsonResponse } from '../../shared/http/responses.ts';
import { UserInfoBody } from '../../shared/providers/singpass/routes.ts';
import { finishSingpassLogin } from '../../shared/providers/singpass/singpass.ts';

/** Consumes a state, exchanges the code and answers a Secpass token. */
export const handler = routedHandler({
  'POST /oidc/singpass/userInfo': async (event) => {
    const caller = callerOf(event);
    const { authCode, state } = jsonBody(event, UserInfoBody);
    return jsonResponse(200, { token: await finishSingpassLogin(caller, authCode, state) });
  },
});
