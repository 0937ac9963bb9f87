import { routedHandler } from '../../shared/http/handler.ts';
import { requiredQueryParam } from '../../shared/http/request.ts';
import { htmlResponse } from '../../shared/http/responses.ts';
import { receiveCallback } from '../../shared/providers/sgverify/sgverify.ts';

/** SG-Verify's callback after a visitor scans and consents; the answer is shown on their phone. */
export const handler = routedHandler(
  {
    'GET /sgverify/callback': async (event) => {
      await receiveCallback(requiredQueryParam(event, 'code'), requiredQueryParam(event, 'state'));
      return htmlResponse(200, 'Done. Your details are on their way to the kiosk; you may close this page.');
    },
  },
  'html',
);
