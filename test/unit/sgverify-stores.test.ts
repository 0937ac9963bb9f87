import { manualClock, memoryStateStore } from '../support/memory-ports.ts';
import { memoryCallbackThrottle, memoryPendingResults, memoryQrStates } from '../support/memory-sgverify.ts';
import {
  callbackThrottleRules,
  pendingResultsRules,
  qrStatesRules,
} from '../support/sgverify-store-rules.ts';

// The same rules the DynamoDB adapters are held to (test/integration/sgverify-callback-throttle.test.ts,
// test/integration/pending-results.test.ts).
callbackThrottleRules('in memory', () => {
  const clock = manualClock();
  return { throttle: memoryCallbackThrottle(clock), clock };
});

pendingResultsRules('in memory', () => {
  const clock = manualClock();
  return { results: memoryPendingResults(clock), clock };
});

qrStatesRules('in memory', () => {
  const clock = manualClock();
  const states = memoryStateStore(clock);
  return { states, qrStates: memoryQrStates(clock, states), clock };
});
