import type { SingleUseStore } from '../single-use-store.ts';
import type { SimulatorControls } from './controls.ts';
import type { CpfhubScope } from './scopes.ts';
import type { TokenStore } from './tokens.ts';

/** What the request handlers share: the registrations, the flow's state and the test controls. */
export interface RegisteredClient {
  clientId: string;
  clientSecret: string;
  redirectUris: readonly string[];
  scopes: readonly CpfhubScope[];
}

/** An authorisation request that passed every check, waiting for the user's decision. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  scopes: readonly CpfhubScope[];
  codeChallenge: string;
}

export interface CodeGrant extends AuthorizeRequest {
  userId: string;
}

export interface CpfhubContext {
  /** API key → the scopes it carries. */
  apiKeys: ReadonlyMap<string, readonly CpfhubScope[]>;
  clients: ReadonlyMap<string, RegisteredClient>;
  pendingConsents: SingleUseStore<AuthorizeRequest>;
  codes: SingleUseStore<CodeGrant>;
  tokens: TokenStore;
  controls: SimulatorControls;
}
