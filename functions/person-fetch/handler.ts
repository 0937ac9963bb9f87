import { callerOf } from '../../shared/apps/caller.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';
import { joseResponse } from '../../shared/http/responses.ts';
import { finishMyinfo } from '../../shared/providers/myinfo/myinfo.ts';

/** GET /myinfo/token?code=&state= → the person data sealed for the calling app. */
export const handler = httpHandler(async (event) => {
  const caller = callerOf(event);
  const code = requiredQueryParam(event, 'code');
  const state = requiredQueryParam(event, 'state');
  return joseResponse(await finishMyinfo(caller, code, state));
});
