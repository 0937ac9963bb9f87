import type { Clock } from '../../core/ports.ts';
import type { SgVerifyStores } from '../../providers/sgverify/ports.ts';
import { dynamoCallbackThrottle } from './sgverify-callback-throttle.ts';
import { dynamoPendingResults } from './sgverify-pending-results.ts';
import { dynamoQrStates } from './sgverify-qr-states.ts';

/** SG-Verify's QR codes, waiting results and callback counts, in the single table. */
export const dynamoSgVerifyStores = (deps: { clock: Clock }): SgVerifyStores => ({
  qrStates: dynamoQrStates(deps),
  results: dynamoPendingResults(deps),
  throttle: dynamoCallbackThrottle(deps),
});
