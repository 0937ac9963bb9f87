import { grantStoreRules } from '../support/grant-store-contract.ts';
import { manualMillisClock, memoryGrantStore } from '../support/memory-cpfhub.ts';

// The same rules the DynamoDB adapter is held to (test/integration/dynamodb-cpfhub-grant-rules.test.ts).
grantStoreRules('in memory', () => {
  const clock = manualMillisClock();
  return { store: memoryGrantStore(() => clock.nowMillis()), nowMillis: () => clock.nowMillis() };
});
