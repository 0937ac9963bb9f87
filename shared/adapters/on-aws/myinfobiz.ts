import { myinfoBizConfig } from '../broker-config.ts';
import { perConfiguration } from '../env.ts';
import type { ContextOnAws } from './flow-context.ts';

export const myinfoBizOnAws = (context: ContextOnAws) =>
  perConfiguration(async () =>
    (await import('../../providers/myinfobiz/myinfobiz.ts')).myinfoBizProvider(myinfoBizConfig(), context()),
  );
