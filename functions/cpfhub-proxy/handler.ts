import { callerOf } from '../../shared/apps/caller.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { requiredHeader } from '../../shared/http/request.ts';
import { jsonResponse } from '../../shared/http/responses.ts';
import { endGrant, forwardForUser, forwardWithApiKey } from '../../shared/providers/cpfhub/cpfhub.ts';
import { cpfhubCall } from '../../shared/providers/cpfhub/proxy.ts';

/** The header naming a user's grant; its value is the id from the app's sealed OAuth token. */
const GRANT_HEADER = 'X-Secpass-Grant';

/** Forwards allow-listed CPFHub calls with credentials that never leave Secpass. */
export const handler = routedHandler({
  'ANY /cpfhub/{proxy+}': async (event) => forwardWithApiKey(callerOf(event), cpfhubCall(event)),
  'ANY /cpfhub/user/{proxy+}': async (event) => {
    const caller = callerOf(event);
    const grantId = requiredHeader(event, GRANT_HEADER);
    return forwardForUser(caller, grantId, cpfhubCall(event));
  },
  'DELETE /cpfhub/oauth/grant': async (event) => {
    const caller = callerOf(event);
    await endGrant(caller, requiredHeader(event, GRANT_HEADER));
    return jsonResponse(200, { status: 'revoked' });
  },
});
