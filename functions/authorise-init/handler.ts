import type { AppRecord } from '../../shared/apps/app-record.ts';
import { callerOf, loadCallerApp } from '../../shared/apps/caller.ts';
import { type HttpHandler, routedHandler } from '../../shared/http/handler.ts';
import { jsonBody, requiredQueryParam } from '../../shared/http/request.ts';
import { jsonResponse, redirectResponse } from '../../shared/http/responses.ts';
import { startCpfhubOAuth } from '../../shared/providers/cpfhub/oauth.ts';
import { startMyinfo } from '../../shared/providers/myinfo/myinfo.ts';
import { myinfoBizFlow } from '../../shared/providers/myinfobiz/myinfobiz.ts';
import { startPkiOAuth } from '../../shared/providers/pki-oauth/flow.ts';
import { createQr, QrBody } from '../../shared/providers/sgverify/qr-code.ts';
import { AuthReqUriBody } from '../../shared/providers/singpass/routes.ts';
import { startSingpassLogin } from '../../shared/providers/singpass/singpass.ts';

const redirectToAuthorise =
  (start: (app: AppRecord) => Promise<string>): HttpHandler =>
  async (event) =>
    redirectResponse(await start(await loadCallerApp(callerOf(event))));

/** OAuth scopes, space-separated; which ones the app may ask for is checked against its record. */
const SCOPE_LIST = /^[a-z_:]{1,64}( [a-z_:]{1,64}){0,15}$/;

/** Starts an authorisation: a fresh single-use state and the upstream's authorise URL. */
export const handler = routedHandler({
  'GET /myinfo/init': redirectToAuthorise(startMyinfo),
  'GET /myinfobiz/init': redirectToAuthorise((app) => startPkiOAuth(myinfoBizFlow, app)),
  'POST /sgverify/qr': async (event) => {
    const caller = callerOf(event);
    const body = jsonBody(event, QrBody);
    return jsonResponse(200, await createQr(await loadCallerApp(caller), body));
  },
  'GET /cpfhub/oauth/init': async (event) => {
    const caller = callerOf(event);
    const scope = requiredQueryParam(event, 'scope', SCOPE_LIST);
    return redirectResponse(await startCpfhubOAuth(await loadCallerApp(caller), scope));
  },
  'POST /oidc/singpass/authReqUri': async (event) => {
    const caller = callerOf(event);
    jsonBody(event, AuthReqUriBody);
    return jsonResponse(200, { authReqUri: await startSingpassLogin(await loadCallerApp(caller)) });
  },
});
