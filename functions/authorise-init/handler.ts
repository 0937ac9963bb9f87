import { awsPorts } from '../../shared/adapters/aws-ports.ts';
import { cpfhubOnAws } from '../../shared/adapters/on-aws/cpfhub.ts';
import { flowContextOnAws } from '../../shared/adapters/on-aws/flow-context.ts';
import { myinfoOnAws } from '../../shared/adapters/on-aws/myinfo.ts';
import { myinfoBizOnAws } from '../../shared/adapters/on-aws/myinfobiz.ts';
import { sgVerifyOnAws } from '../../shared/adapters/on-aws/sgverify.ts';
import { singpassOnAws } from '../../shared/adapters/on-aws/singpass.ts';
import type { AppRecord } from '../../shared/apps/app-record.ts';
import { loadCallerApp } from '../../shared/apps/caller.ts';
import { callerOf } from '../../shared/http/caller-of.ts';
import { type HttpHandler, routedHandler } from '../../shared/http/handler.ts';
import { jsonBody, requiredQueryParam } from '../../shared/http/request.ts';
import { jsonResponse, redirectResponse } from '../../shared/http/responses.ts';

// Composed once per container; each provider is built on the first call of one of its routes.
const ports = awsPorts();
const context = flowContextOnAws(ports);
const myinfo = myinfoOnAws(context);
const myinfoBiz = myinfoBizOnAws(context);
const sgVerify = sgVerifyOnAws(context);
const cpfhub = cpfhubOnAws(context);
const singpass = singpassOnAws(context);
const sgVerifyModule = () => import('../../shared/providers/sgverify/sgverify.ts');
const singpassBodies = () => import('../../shared/http/singpass-bodies.ts');

const redirectToAuthorise =
  (start: (app: AppRecord) => Promise<string>): HttpHandler =>
  async (event) =>
    redirectResponse(await start(await loadCallerApp(ports.apps, callerOf(event))));

/** OAuth scopes, space-separated; which ones the app may ask for is checked against its record. */
const SCOPE_LIST = /^[a-z_:]{1,64}( [a-z_:]{1,64}){0,15}$/;

/** Starts an authorisation: a fresh single-use state and the upstream's authorise URL. */
export const handler = routedHandler('authorise-init', {
  'GET /myinfo/init': redirectToAuthorise(async (app) => (await myinfo()).start(app)),
  'GET /myinfobiz/init': redirectToAuthorise(async (app) => (await myinfoBiz()).start(app)),
  'POST /sgverify/qr': async (event) => {
    const caller = callerOf(event);
    const body = jsonBody(event, (await sgVerifyModule()).QrBody);
    return jsonResponse(
      200,
      await (await sgVerify()).createQr(await loadCallerApp(ports.apps, caller), body),
    );
  },
  'GET /cpfhub/oauth/init': async (event) => {
    const caller = callerOf(event);
    const scope = requiredQueryParam(event, 'scope', SCOPE_LIST);
    const { start } = await cpfhub();
    return redirectResponse(await start(await loadCallerApp(ports.apps, caller), scope));
  },
  'POST /oidc/singpass/authReqUri': async (event) => {
    const caller = callerOf(event);
    jsonBody(event, (await singpassBodies()).AuthReqUriBody);
    const { start } = await singpass();
    return jsonResponse(200, { authReqUri: await start(await loadCallerApp(ports.apps, caller)) });
  },
});
