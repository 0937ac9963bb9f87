import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SecpassClient } from '../../packages/client/src/index.ts';
import type { DemoApp } from './registered-app.ts';
import type { Sessions } from './sessions.ts';

/** What a page handler gets: the request, and the demo app (1-based `n`) it is for. */
export interface DemoContext {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  n: number;
  app: DemoApp;
  secpass: SecpassClient;
  sessions: Sessions;
  /** `/apps/<n>`: where this app's pages live. */
  base: string;
}

export type PageHandler = (ctx: DemoContext) => Promise<void> | void;
