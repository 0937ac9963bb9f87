import { callerOf, loadCallerApp } from '../../shared/apps/caller.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { jsonBody } from '../../shared/http/request.ts';
import { jsonResponse, redirectResponse } from '../../shared/http/responses.ts';
import { startMyinfo } from '../../shared/providers/myinfo/myinfo.ts';
import { AuthReqUriBody } from '../../shared/providers/singpass/routes.ts';
import { startSingpassLogin } from '../../shared/providers/singpass/singpass.ts';

/** Starts an authorisation: a fresh single-use state and the upstream's authorise URL. */
export const handler = routedHandler({
  'GET /myinfo/init': async (event) =>
    redirectResponse(await startMyinfo(await loadCallerApp(callerOf(event)))),
  'POST /oidc/singpass/authReqUri': async (event) => {
    const caller = callerOf(event);
    jsonBody(event, AuthReqUriBody);
    return jsonResponse(200, { authReqUri: await startSingpassLogin(await loadCallerApp(caller)) });
  },
});
