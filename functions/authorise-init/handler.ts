import { requireActiveApp } from '../../shared/apps/app-store.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { callerAppId } from '../../shared/http/request.ts';
import { redirectResponse } from '../../shared/http/responses.ts';
import { startMyinfo } from '../../shared/providers/myinfo/myinfo.ts';

/** GET /myinfo/init → 302 to the upstream's authorise page with a fresh single-use state. */
export const handler = httpHandler(async (event) => {
  const app = await requireActiveApp(callerAppId(event));
  return redirectResponse(await startMyinfo(app));
});
