import { callerOf, loadCallerApp } from '../../shared/apps/caller.ts';
import { httpHandler } from '../../shared/http/handler.ts';
import { redirectResponse } from '../../shared/http/responses.ts';
import { startMyinfo } from '../../shared/providers/myinfo/myinfo.ts';

/** GET /myinfo/init → 302 to the upstream's authorise page with a fresh single-use state. */
export const handler = httpHandler(async (event) => {
  const app = await loadCallerApp(callerOf(event));
  return redirectResponse(await startMyinfo(app));
});
