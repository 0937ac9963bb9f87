import { cpfhubConfig } from '../broker-config.ts';
import { perConfiguration } from '../env.ts';
import type { ContextOnAws } from './flow-context.ts';

export const cpfhubOnAws = (context: ContextOnAws) =>
  perConfiguration(async () => {
    const [{ cpfhubProvider }, { awsCpfhubPorts }] = await Promise.all([
      import('../../providers/cpfhub/cpfhub.ts'),
      import('../dynamodb/cpfhub-grants.ts'),
    ]);
    return cpfhubProvider(cpfhubConfig(), context(), awsCpfhubPorts());
  });
