import type { ClientMetadata } from 'oidc-provider';
import { AUTHENTICATION_CONTEXT_TYPES, LOGIN_SCOPES, MYINFO_CATALOG_SCOPES } from './published-rules.ts';

/** An app as registered in Singpass's developer portal. */
export interface FapiClient {
  clientId: string;
  /** Singpass registers Login apps and Myinfo (v5) apps separately. */
  appType: 'login' | 'myinfo';
  redirectUris: string[];
  /** Where the client publishes its signing and encryption keys. */
  jwksUri: string;
  /** Scopes the app may ask for besides `openid`: from LOGIN_SCOPES for a Login app, catalog ids for a Myinfo app. */
  scopes: string[];
  /** Login apps: the authentication_context_type values enabled for it; default every published one. */
  authenticationContextTypes?: string[];
  /** Myinfo apps: userinfo content encryption; default 'A256GCM' (what Singpass's demo app expects). */
  userinfoEncryption?: 'A256GCM' | 'A256CBC-HS512';
}

/** What Singpass's ID token is wrapped in, whichever the app. */
export const ID_TOKEN_ENCRYPTION = { alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512' } as const;
export const USERINFO_ENCRYPTION_ENCS = ['A256GCM', 'A256CBC-HS512'] as const;
const DEFAULT_USERINFO_ENCRYPTION = 'A256GCM';

const PUBLISHED_CONTEXT_TYPES: ReadonlySet<string> = new Set(AUTHENTICATION_CONTEXT_TYPES);
const LOGIN_SCOPE_SET: ReadonlySet<string> = new Set(LOGIN_SCOPES);

/**
 * The portal would not let an app be registered with what Singpass does not offer it; refusing
 * such a registration here keeps a local setup from passing with scopes production would refuse.
 */
export const assertRegistrable = (client: FapiClient): void => {
  const offered = client.appType === 'login' ? LOGIN_SCOPE_SET : MYINFO_CATALOG_SCOPES;
  const unknown = client.scopes.filter((scope) => !offered.has(scope));
  if (unknown.length > 0) {
    throw new TypeError(
      `${client.clientId}: a ${client.appType} app cannot have the scopes ${unknown.join(', ')}`,
    );
  }
  if (client.appType === 'myinfo' && client.authenticationContextTypes) {
    throw new TypeError(`${client.clientId}: authentication context types are for Login apps only`);
  }
  if (client.appType === 'login' && client.userinfoEncryption) {
    throw new TypeError(`${client.clientId}: userinfo is for Myinfo apps only`);
  }
  const unpublished = (client.authenticationContextTypes ?? []).filter(
    (t) => !PUBLISHED_CONTEXT_TYPES.has(t),
  );
  if (unpublished.length > 0) {
    throw new TypeError(
      `${client.clientId}: unpublished authentication context types ${unpublished.join(', ')}`,
    );
  }
};

export const allowedScopesOf = (client: FapiClient): ReadonlySet<string> =>
  new Set(['openid', ...client.scopes]);

export const enabledContextTypesOf = (client: FapiClient): ReadonlySet<string> =>
  client.authenticationContextTypes ? new Set(client.authenticationContextTypes) : PUBLISHED_CONTEXT_TYPES;

/**
 * The registration as oidc-provider holds it. The assertion alg is left open so ES384 and ES512
 * keys work too, as Singpass allows; the issuer's list of algs still bounds it.
 */
export const clientMetadataOf = (client: FapiClient): ClientMetadata => ({
  client_id: client.clientId,
  redirect_uris: client.redirectUris,
  jwks_uri: client.jwksUri,
  scope: [...allowedScopesOf(client)].join(' '),
  token_endpoint_auth_method: 'private_key_jwt',
  id_token_signed_response_alg: 'ES256',
  id_token_encrypted_response_alg: ID_TOKEN_ENCRYPTION.alg,
  id_token_encrypted_response_enc: ID_TOKEN_ENCRYPTION.enc,
  userinfo_signed_response_alg: 'ES256',
  userinfo_encrypted_response_alg: 'ECDH-ES+A256KW',
  userinfo_encrypted_response_enc: client.userinfoEncryption ?? DEFAULT_USERINFO_ENCRYPTION,
  dpop_bound_access_tokens: true,
  grant_types: ['authorization_code'],
  response_types: ['code'],
});

/** The registrations by client id, for the rules that depend on the app. */
export class ClientRegistry {
  readonly #byId: ReadonlyMap<string, FapiClient>;

  constructor(clients: readonly FapiClient[]) {
    for (const client of clients) assertRegistrable(client);
    this.#byId = new Map(clients.map((client) => [client.clientId, client]));
    if (this.#byId.size !== clients.length) throw new TypeError('two FAPI clients share a client id');
  }

  get all(): FapiClient[] {
    return [...this.#byId.values()];
  }

  find(clientId: string | undefined): FapiClient | undefined {
    return clientId === undefined ? undefined : this.#byId.get(clientId);
  }
}
