import { awsPorts } from '../../shared/adapters/aws-ports.ts';
import { flowContextOnAws } from '../../shared/adapters/on-aws/flow-context.ts';
import { myinfoOnAws } from '../../shared/adapters/on-aws/myinfo.ts';
import { myinfoBizOnAws } from '../../shared/adapters/on-aws/myinfobiz.ts';
import { sgVerifyOnAws } from '../../shared/adapters/on-aws/sgverify.ts';
import type { Caller } from '../../shared/apps/caller.ts';
import { callerOf } from '../../shared/http/caller-of.ts';
import { type HttpHandler, routedHandler } from '../../shared/http/handler.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';
import { joseResponse, jsonResponse } from '../../shared/http/responses.ts';

// Composed once per container; each provider is built on the first call of one of its routes.
const context = flowContextOnAws(awsPorts());
const myinfo = myinfoOnAws(context);
const myinfoBiz = myinfoBizOnAws(context);
const sgVerify = sgVerifyOnAws(context);

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
