import { awsPorts } from '../../shared/adapters/aws-ports.ts';
import {
  cpfhubConfig,
  flowSettings,
  myinfoBizConfig,
  myinfoConfig,
  sgVerifyConfig,
  singpassConfig,
} from '../../shared/adapters/broker-config.ts';
import { dynamoSgVerifyStores } from '../../shared/adapters/dynamodb/sgverify-stores.ts';
import { perConfiguration } from '../../shared/adapters/env.ts';
import type { AppRecord } from '../../shared/apps/app-record.ts';
import { loadCallerApp } from '../../shared/apps/caller.ts';
import { flowContext } from '../../shared/core/flow-context.ts';
import { callerOf } from '../../shared/http/caller-of.ts';
import { type HttpHandler, routedHandler } from '../../shared/http/handler.ts';
import { jsonBody, requiredQueryParam } from '../../shared/http/request.ts';
import { jsonResponse, redirectResponse } from '../../shared/http/responses.ts';

// Composed once per container (again only if a test changes the settings); settings are read, and
// each provider's code loaded, by the first call of one of its routes, not at cold start.
const ports = awsPorts();
const context = perConfiguration(() => flowContext(ports, flowSettings()));
const myinfo = perConfiguration(async () =>
  (await import('../../shared/providers/myinfo/myinfo.ts')).myinfoProvider(myinfoConfig(), context()),
);
const myinfoBiz = perConfiguration(async () =>
  (await import('../../shared/providers/myinfobiz/myinfobiz.ts')).myinfoBizProvider(
    myinfoBizConfig(),
    context(),
  ),
);
const sgVerifyModule = () => import('../../shared/providers/sgverify/sgverify.ts');
const sgVerify = perConfiguration(async () =>
  (await sgVerifyModule()).sgVerifyProvider(sgVerifyConfig(), context(), dynamoSgVerifyStores(ports)),
);
const cpfhub = perConfiguration(async () => {
  const [{ cpfhubProvider }, { awsCpfhubPorts }] = await Promise.all([
    import('../../shared/providers/cpfhub/cpfhub.ts'),
    import('../../shared/adapters/dynamodb/cpfhub-grants.ts'),
  ]);
  return cpfhubProvider(cpfhubConfig(), context(), awsCpfhubPorts());
});
const singpassBodies = () => import('../../shared/http/singpass-bodies.ts');
const singpass = perConfiguration(async () =>
  (await import('../../shared/providers/singpass/singpass.ts')).singpassProvider(singpassConfig(), context()),
);

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
