import { routedHandler } from '../../shared/http/handler.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';
import { htmlResponse } from '../../shared/http/responses.ts';

// The provider's code is loaded by the first call, not at cold start (the same as elsewhere).
const sgVerify = () => import('../../shared/providers/sgverify/sgverify.ts');

/** SG-Verify's callback after a visitor scans and consents; the answer is shown on their phone. */
export const handler = routedHandler(
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
