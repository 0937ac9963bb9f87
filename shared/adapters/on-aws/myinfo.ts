import { myinfoConfig } from '../broker-config.ts';
import { perConfiguration } from '../env.ts';
import type { ContextOnAws } from './flow-context.ts';

export const myinfoOnAws = (context: ContextOnAws) =>
  perConfiguration(async () =>
    (await import('../../providers/myinfo/myinfo.ts')).myinfoProvider(myinfoConfig(), context()),
  );
