import { awsPorts } from '../../shared/adapters/aws-ports.ts';
import { cpfhubConfig, flowSettings, singpassConfig } from '../../shared/adapters/broker-config.ts';
import { perConfiguration } from '../../shared/adapters/env.ts';
import { flowContext } from '../../shared/core/flow-context.ts';
import { callerOf } from '../../shared/http/caller-of.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { jsonBody, requiredQueryParam } from '../../shared/http/request.ts';
import { joseResponse, jsonResponse } from '../../shared/http/responses.ts';

// Composed once per container (again only if a test changes the settings); settings are read, and
// each provider's code loaded, by the first call of one of its routes, not at cold start.
const ports = awsPorts();
const context = perConfiguration(() => flowContext(ports, flowSettings()));
const cpfhub = perConfiguration(async () => {
  const [{ cpfhubProvider }, { awsCpfhubPorts }] = await Promise.all([
    import('../../shared/providers/cpfhub/cpfhub.ts'),
    import('../../shared/adapters/dynamodb/cpfhub-grants.ts'),
  ]);
  return cpfhubProvider(cpfhubConfig(), context(), awsCpfhubPorts());
});
const singpassBodies = () => import('../../shared/http/singpass-bodies.ts');
const singpass = perConfiguration(async () =>
  (await import('../../shared/providers/singpass/singpass.ts')).singpassProvider(singpassConfig(), context()),
);

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
