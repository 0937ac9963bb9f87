import { awsPorts } from '../../shared/adapters/aws-ports.ts';
import { cpfhubOnAws } from '../../shared/adapters/on-aws/cpfhub.ts';
import { flowContextOnAws } from '../../shared/adapters/on-aws/flow-context.ts';
import { callerOf } from '../../shared/http/caller-of.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { forwardRequestOf, requiredHeader } from '../../shared/http/request.ts';
import { jsonResponse, passThroughJson } from '../../shared/http/responses.ts';

// Composed once per container; each provider is built on the first call of one of its routes.
const cpfhub = cpfhubOnAws(flowContextOnAws(awsPorts()));
const proxy = () => import('../../shared/providers/cpfhub/proxy.ts');

/** The header naming a user's grant; its value is the id from the app's sealed OAuth token. */
const GRANT_HEADER = 'X-Secpass-Grant';

/** Forwards allow-listed CPFHub calls with credentials that never leave Secpass. */
export const handler = routedHandler('cpfhub-proxy', {
  'ANY /cpfhub/{proxy+}': async (event) => {
    const caller = callerOf(event);
    const [provider, { cpfhubCall }] = await Promise.all([cpfhub(), proxy()]);
    const answer = await provider.forwardWithApiKey(caller, cpfhubCall(forwardRequestOf(event)));
    return passThroughJson(answer.statusCode, answer.body);
  },
  'ANY /cpfhub/user/{proxy+}': async (event) => {
    const caller = callerOf(event);
    const grantId = requiredHeader(event, GRANT_HEADER);
    const [provider, { cpfhubCall }] = await Promise.all([cpfhub(), proxy()]);
    const answer = await provider.forwardForUser(caller, grantId, cpfhubCall(forwardRequestOf(event)));
    return passThroughJson(answer.statusCode, answer.body);
  },
  'DELETE /cpfhub/oauth/grant': async (event) => {
    const caller = callerOf(event);
    const grantId = requiredHeader(event, GRANT_HEADER);
    await (await cpfhub()).endGrant(caller, grantId);
    return jsonResponse(200, { status: 'revoked' });
  },
});
