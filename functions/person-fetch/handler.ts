import { requireActiveApp } from '../../shared/apps/app-store.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { callerAppId, requiredQueryParam } from '../../shared/http/request.ts';
import { joseResponse } from '../../shared/http/responses.ts';
import { finishMyinfo } from '../../shared/providers/myinfo/myinfo.ts';

/** GET /myinfo/token?code=&state= → the person data sealed for the calling app. */
export const handler = httpHandler(async (event) => {
  const app = await requireActiveApp(callerAppId(event));
  const code = requiredQueryParam(event, 'code');
  const state = requiredQueryParam(event, 'state');
  return joseResponse(await finishMyinfo(app, code, state));
});
