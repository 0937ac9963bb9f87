import { createSecpassClient, type SecpassClient } from '../../packages/client/src/index.ts';
import type { DemoApp } from './registered-app.ts';

/** Where the demo finds Secpass: locally its tokens' `iss` is the gateway URL (SECPASS_ISSUER). */
export interface SecpassLocation {
  gatewayUrl: string;
  secpassJwksUrl: string;
}

/**
 * One client per app, kept for the server's life, as an app would keep it: the client caches
 * Secpass's JWKS, so only the first token of each app fetches it.
 */
export class DemoClients {
  readonly #clients = new Map<string, SecpassClient>();

  for(secpass: SecpassLocation, app: DemoApp): SecpassClient {
    const key = `${secpass.gatewayUrl} ${app.appId}`;
    let client = this.#clients.get(key);
    if (!client) {
      client = createSecpassClient({
        baseUrl: secpass.gatewayUrl,
        apiKey: app.apiKey,
        appId: app.appId,
        privateKey: app.privateJwk,
        issuer: secpass.gatewayUrl,
        jwksUrl: secpass.secpassJwksUrl,
      });
      this.#clients.set(key, client);
    }
    return client;
  }
}
