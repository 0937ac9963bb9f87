import { type Caller, callerOf } from '../../shared/apps/caller.ts';
import { type HttpHandler, routedHandler } from '../../shared/http/handler.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';
import { joseResponse, jsonResponse } from '../../shared/http/responses.ts';

// Each provider's code is loaded by the first call of one of its routes, not at cold start.
const myinfo = () => import('../../shared/providers/myinfo/myinfo.ts');
const myinfoBiz = () => import('../../shared/providers/myinfobiz/myinfobiz.ts');
const pkiOAuth = () => import('../../shared/providers/pki-oauth/flow.ts');
const sgVerify = () => import('../../shared/providers/sgverify/sgverify.ts');

/** `…/token?code=&state=` → the upstream's data sealed for the calling app. */
const sealedData =
  (finish: (caller: Caller, code: string, state: string) => Promise<string>): HttpHandler =>
  async (event) => {
    const caller = callerOf(event);
    const code = requiredQueryParam(event, 'code');
    const state = requiredQueryParam(event, 'state');
    return joseResponse(await finish(caller, code, state));
  };

export const handler = routedHandler({
  'GET /myinfo/token': sealedData(async (caller, code, state) =>
    (await myinfo()).finishMyinfo(caller, code, state),
  ),
  'GET /myinfobiz/token': sealedData(async (caller, code, state) => {
    const [{ finishPkiOAuth }, { myinfoBizFlow }] = await Promise.all([pkiOAuth(), myinfoBiz()]);
    return finishPkiOAuth(myinfoBizFlow, caller, code, state);
  }),
  /** A kiosk collects what SG-Verify sent: 200 once per result, 202 while none has arrived. */
  'GET /sgverify/result': async (event) => {
    const caller = callerOf(event);
    const state = requiredQueryParam(event, 'state');
    const result = await (await sgVerify()).collectResult(caller, state);
    return result ? joseResponse(result) : jsonResponse(202, { status: 'pending' });
  },
});
