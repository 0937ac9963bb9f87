import { callerOf } from '../../shared/apps/caller.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { jsonBody, requiredQueryParam } from '../../shared/http/request.ts';
import { joseResponse, jsonResponse } from '../../shared/http/responses.ts';

// Each provider's code is loaded by the first call of one of its routes, not at cold start.
const cpfhubOAuth = () => import('../../shared/providers/cpfhub/oauth.ts');
const singpassRoutes = () => import('../../shared/providers/singpass/routes.ts');
const singpass = () => import('../../shared/providers/singpass/singpass.ts');

/** Consumes a state, exchanges the code and answers a Secpass token. */
export const handler = routedHandler({
  /** The user's tokens stay here; the app gets a sealed token naming its grant. */
  'GET /cpfhub/oauth/token': async (event) => {
    const caller = callerOf(event);
    const code = requiredQueryParam(event, 'code');
    const state = requiredQueryParam(event, 'state');
    const { finishCpfhubOAuth } = await cpfhubOAuth();
    return joseResponse(await finishCpfhubOAuth(caller, code, state));
  },
  'POST /oidc/singpass/userInfo': async (event) => {
    const caller = callerOf(event);
    const { authCode, state } = jsonBody(event, (await singpassRoutes()).UserInfoBody);
    const { finishSingpassLogin } = await singpass();
    return jsonResponse(200, { token: await finishSingpassLogin(caller, authCode, state) });
  },
});
