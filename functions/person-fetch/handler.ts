import { type Caller, callerOf } from '../../shared/apps/caller.ts';
import { type HttpHandler, routedHandler } from '../../shared/http/handler.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';
import { joseResponse, jsonResponse } from '../../shared/http/responses.ts';
import { finishMyinfo } from '../../shared/providers/myinfo/myinfo.ts';
import { myinfoBizFlow } from '../../shared/providers/myinfobiz/myinfobiz.ts';
import { finishPkiOAuth } from '../../shared/providers/pki-oauth/flow.ts';
import { collectResult } from '../../shared/providers/sgverify/sgverify.ts';

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
  'GET /myinfo/token': sealedData(finishMyinfo),
  'GET /myinfobiz/token': sealedData((caller, code, state) =>
    finishPkiOAuth(myinfoBizFlow, caller, code, state),
  ),
  /** A kiosk collects what SG-Verify sent: 200 once per result, 202 while none has arrived. */
  'GET /sgverify/result': async (event) => {
    const result = await collectResult(callerOf(event), requiredQueryParam(event, 'state'));
    return result ? joseResponse(result) : jsonResponse(202, { status: 'pending' });
  },
});
