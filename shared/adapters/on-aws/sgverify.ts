import { sgVerifyConfig } from '../broker-config.ts';
import { perConfiguration } from '../env.ts';
import type { ContextOnAws } from './flow-context.ts';

export const sgVerifyOnAws = (context: ContextOnAws) =>
  perConfiguration(async () => {
    const [{ sgVerifyProvider }, { dynamoSgVerifyStores }] = await Promise.all([
      import('../../providers/sgverify/sgverify.ts'),
      import('../dynamodb/sgverify-stores.ts'),
    ]);
    const built = context();
    return sgVerifyProvider(sgVerifyConfig(), built, dynamoSgVerifyStores(built));
  });
