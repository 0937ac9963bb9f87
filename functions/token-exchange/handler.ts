import { awsPorts } from '../../shared/adapters/aws-ports.ts';
import { cpfhubOnAws } from '../../shared/adapters/on-aws/cpfhub.ts';
import { flowContextOnAws } from '../../shared/adapters/on-aws/flow-context.ts';
import { singpassOnAws } from '../../shared/adapters/on-aws/singpass.ts';
import { callerOf } from '../../shared/http/caller-of.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { jsonBody, requiredQueryParam } from '../../shared/http/request.ts';
import { joseResponse, jsonResponse } from '../../shared/http/responses.ts';

// Composed once per container; each provider is built on the first call of one of its routes.
const context = flowContextOnAws(awsPorts());
const cpfhub = cpfhubOnAws(context);
const singpass = singpassOnAws(context);
const singpassBodies = () => import('../../shared/http/singpass-bodies.ts');

/** Consumes a state, exchanges the code and answers a Secpass token. */
export const handler = routedHandler('token-exchange', {
  /** The user's tokens stay here; the app gets a sealed token naming its grant. */
  'GET /cpfhub/oauth/token': async (event) => {
    const caller = callerOf(event);
    const code = requiredQueryParam(event, 'code');
    const state = requiredQueryParam(event, 'state');
    return joseResponse(await (await cpfhub()).finish(caller, code, state));
  },
  'POST /oidc/singpass/userInfo': async (event) => {
    const caller = callerOf(event);
    const { authCode, state } = jsonBody(event, (await singpassBodies()).UserInfoBody);
    return jsonResponse(200, { token: await (await singpass()).finish(caller, authCode, state) });
  },
});
