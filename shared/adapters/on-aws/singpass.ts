import { singpassConfig } from '../broker-config.ts';
import { perConfiguration } from '../env.ts';
import type { ContextOnAws } from './flow-context.ts';

export const singpassOnAws = (context: ContextOnAws) =>
  perConfiguration(async () =>
    (await import('../../providers/singpass/singpass.ts')).singpassProvider(singpassConfig(), context()),
  );
