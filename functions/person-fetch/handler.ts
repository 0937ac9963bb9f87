import { awsPorts } from '../../shared/adapters/aws-ports.ts';
import {
  flowSettings,
  myinfoBizConfig,
  myinfoConfig,
  sgVerifyConfig,
} from '../../shared/adapters/broker-config.ts';
import { dynamoSgVerifyStores } from '../../shared/adapters/dynamodb/sgverify-stores.ts';
import { perConfiguration } from '../../shared/adapters/env.ts';
import type { Caller } from '../../shared/apps/caller.ts';
import { flowContext } from '../../shared/core/flow-context.ts';
import { callerOf } from '../../shared/http/caller-of.ts';
import { type HttpHandler, routedHandler } from '../../shared/http/handler.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';
import { joseResponse, jsonResponse } from '../../shared/http/responses.ts';

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
const sgVerify = perConfiguration(async () =>
  (await import('../../shared/providers/sgverify/sgverify.ts')).sgVerifyProvider(
    sgVerifyConfig(),
    context(),
    dynamoSgVerifyStores(ports),
  ),
);

/** `…/token?code=&state=` → the upstream's data sealed for the calling app. */
const sealedData =
  (finish: (caller: Caller, code: string, state: string) => Promise<string>): HttpHandler =>
  async (event) => {
    const caller = callerOf(event);
    const code = requiredQueryParam(event, 'code');
    const state = requiredQueryParam(event, 'state');
    return joseResponse(await finish(caller, code, state));
  };

export const handler = routedHandler('person-fetch', {
  'GET /myinfo/token': sealedData(async (caller, code, state) =>
    (await myinfo()).finish(caller, code, state),
  ),
  'GET /myinfobiz/token': sealedData(async (caller, code, state) =>
    (await myinfoBiz()).finish(caller, code, state),
  ),
  /** A kiosk collects what SG-Verify sent: 200 once per result, 202 while none has arrived. */
  'GET /sgverify/result': async (event) => {
    const caller = callerOf(event);
    const state = requiredQueryParam(event, 'state');
    const result = await (await sgVerify()).collectResult(caller, state);
    return result ? joseResponse(result) : jsonResponse(202, { status: 'pending' });
  },
});
