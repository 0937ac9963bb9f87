import type { Call } from '../http.ts';
import { joseOf, locationOf } from '../http.ts';
import type { MyinfoBusinessPayload, MyinfoPayload } from '../payloads.ts';
import type { OpenedDataToken, TokenChecks } from '../tokens.ts';

/** Myinfo and Myinfo Business: the same two calls around the person's consent. */
export interface DataProductRoutes<P> {
  /** `GET /…/init`: where to send the person's browser (Myinfo's authorise page, with a fresh single-use state). */
  authoriseUrl(): Promise<string>;
  /** `GET /…/token`: the code and state your callback received, exchanged for the opened token. */
  token(code: string, state: string): Promise<OpenedDataToken<P>>;
}

const dataProductRoutes = <P>(product: 'myinfo' | 'myinfobiz', call: Call, tokens: TokenChecks) => ({
  authoriseUrl: async () => locationOf(await call({ method: 'GET', path: `/${product}/init` })),
  token: async (code: string, state: string) =>
    tokens.openDataToken<P>(
      await joseOf(await call({ method: 'GET', path: `/${product}/token`, query: { code, state } })),
    ),
});

/** Myinfo: v3's person for legacy apps, v5's userinfo (`person_info`) for apps on FAPI 2.0. */
export const myinfoRoutes = (call: Call, tokens: TokenChecks): DataProductRoutes<MyinfoPayload> =>
  dataProductRoutes<MyinfoPayload>('myinfo', call, tokens);

export const myinfoBusinessRoutes = (
  call: Call,
  tokens: TokenChecks,
): DataProductRoutes<MyinfoBusinessPayload> =>
  dataProductRoutes<MyinfoBusinessPayload>('myinfobiz', call, tokens);
