import { awsPorts } from '../../shared/adapters/aws-ports.ts';
import { flowContextOnAws } from '../../shared/adapters/on-aws/flow-context.ts';
import { sgVerifyOnAws } from '../../shared/adapters/on-aws/sgverify.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';
import { htmlResponse } from '../../shared/http/responses.ts';

// Composed once per container; each provider is built on the first call of one of its routes.
const sgVerify = sgVerifyOnAws(flowContextOnAws(awsPorts()));

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
