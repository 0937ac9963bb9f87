import { callerOf } from '../../shared/apps/caller.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { requiredHeader } from '../../shared/http/request.ts';
import { jsonResponse } from '../../shared/http/responses.ts';

// The provider's code is loaded by the first call, not at cold start (the same as elsewhere).
const cpfhub = () => import('../../shared/providers/cpfhub/cpfhub.ts');
const proxy = () => import('../../shared/providers/cpfhub/proxy.ts');

/** The header naming a user's grant; its value is the id from the app's sealed OAuth token. */
const GRANT_HEADER = 'X-Secpass-Grant';

/** Forwards allow-listed CPFHub calls with credentials that never leave Secpass. */
export const handler = routedHandler({
  'ANY /cpfhub/{proxy+}': async (event) => {
    const caller = callerOf(event);
    const [{ forwardWithApiKey }, { cpfhubCall }] = await Promise.all([cpfhub(), proxy()]);
    return forwardWithApiKey(caller, cpfhubCall(event));
  },
  'ANY /cpfhub/user/{proxy+}': async (event) => {
    const caller = callerOf(event);
    const grantId = requiredHeader(event, GRANT_HEADER);
    const [{ forwardForUser }, { cpfhubCall }] = await Promise.all([cpfhub(), proxy()]);
    return forwardForUser(caller, grantId, cpfhubCall(event));
  },
  'DELETE /cpfhub/oauth/grant': async (event) => {
    const caller = callerOf(event);
    const grantId = requiredHeader(event, GRANT_HEADER);
    await (await cpfhub()).endGrant(caller, grantId);
    return jsonResponse(200, { status: 'revoked' });
  },
});
