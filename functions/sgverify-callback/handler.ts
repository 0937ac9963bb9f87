import { awsPorts } from '../../shared/adapters/aws-ports.ts';
import { flowSettings, sgVerifyConfig } from '../../shared/adapters/broker-config.ts';
import { dynamoSgVerifyStores } from '../../shared/adapters/dynamodb/sgverify-stores.ts';
import { perConfiguration } from '../../shared/adapters/env.ts';
import { flowContext } from '../../shared/core/flow-context.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';
import { htmlResponse } from '../../shared/http/responses.ts';

// Composed once per container; settings are read, and the provider's code loaded, by the first
// call, not at cold start (the same as elsewhere).
const ports = awsPorts();
const context = perConfiguration(() => flowContext(ports, flowSettings()));
const sgVerify = perConfiguration(async () =>
  (await import('../../shared/providers/sgverify/sgverify.ts')).sgVerifyProvider(
    sgVerifyConfig(),
    context(),
    dynamoSgVerifyStores(ports),
  ),
);

/** SG-Verify's callback after a visitor scans and consents; the answer is shown on their phone. */
export const handler = routedHandler(
  'sgverify-callback',
  {
    'GET /sgverify/callback': async (event) => {
      const code = requiredQueryParam(event, 'code');
      const state = requiredQueryParam(event, 'state');
      await (await sgVerify()).receiveCallback(code, state);
      return htmlResponse(200, 'Done. Your details are on their way to the kiosk; you may close this page.');
    },
  },
  'html',
);
