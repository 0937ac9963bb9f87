import type { AppRecord } from '../../shared/apps/app-record.ts';
import { callerOf, loadCallerApp } from '../../shared/apps/caller.ts';
import { type HttpHandler, routedHandler } from '../../shared/http/handler.ts';
import { jsonBody, requiredQueryParam } from '../../shared/http/request.ts';
import { jsonResponse, redirectResponse } from '../../shared/http/responses.ts';

// Each provider's code is loaded by the first call of one of its routes, not at cold start.
const myinfo = () => import('../../shared/providers/myinfo/myinfo.ts');
const myinfoBiz = () => import('../../shared/providers/myinfobiz/myinfobiz.ts');
const pkiOAuth = () => import('../../shared/providers/pki-oauth/flow.ts');
const sgVerifyQr = () => import('../../shared/providers/sgverify/qr-code.ts');
const cpfhubOAuth = () => import('../../shared/providers/cpfhub/oauth.ts');
const singpassRoutes = () => import('../../shared/providers/singpass/routes.ts');
const singpass = () => import('../../shared/providers/singpass/singpass.ts');

const redirectToAuthorise =
  (start: (app: AppRecord) => Promise<string>): HttpHandler =>
  async (event) =>
    redirectResponse(await start(await loadCallerApp(callerOf(event))));

/** OAuth scopes, space-separated; which ones the app may ask for is checked against its record. */
const SCOPE_LIST = /^[a-z_:]{1,64}( [a-z_:]{1,64}){0,15}$/;

/** Starts an authorisation: a fresh single-use state and the upstream's authorise URL. */
export const handler = routedHandler({
  'GET /myinfo/init': redirectToAuthorise(async (app) => (await myinfo()).startMyinfo(app)),
  'GET /myinfobiz/init': redirectToAuthorise(async (app) => {
    const [{ startPkiOAuth }, { myinfoBizFlow }] = await Promise.all([pkiOAuth(), myinfoBiz()]);
    return startPkiOAuth(myinfoBizFlow, app);
  }),
  'POST /sgverify/qr': async (event) => {
    const caller = callerOf(event);
    const { createQr, QrBody } = await sgVerifyQr();
    const body = jsonBody(event, QrBody);
    return jsonResponse(200, await createQr(await loadCallerApp(caller), body));
  },
  'GET /cpfhub/oauth/init': async (event) => {
    const caller = callerOf(event);
    const scope = requiredQueryParam(event, 'scope', SCOPE_LIST);
    const { startCpfhubOAuth } = await cpfhubOAuth();
    return redirectResponse(await startCpfhubOAuth(await loadCallerApp(caller), scope));
  },
  'POST /oidc/singpass/authReqUri': async (event) => {
    const caller = callerOf(event);
    jsonBody(event, (await singpassRoutes()).AuthReqUriBody);
    const { startSingpassLogin } = await singpass();
    return jsonResponse(200, { authReqUri: await startSingpassLogin(await loadCallerApp(caller)) });
  },
});
