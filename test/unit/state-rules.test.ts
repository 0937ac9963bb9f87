import { manualClock, memoryStateStore } from '../support/memory-ports.ts';
import { stateStoreRules } from '../support/state-store-contract.ts';

// The same rules the DynamoDB adapter is held to (test/integration/dynamodb-state-rules.test.ts).
stateStoreRules('in memory', () => {
  const clock = manualClock();
  return { store: memoryStateStore(clock), clock };
});
