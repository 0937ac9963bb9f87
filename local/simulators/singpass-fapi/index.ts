import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import { answerSimulatorError, closeServer, listenOnLoopback } from '../http.ts';
import { HeadlessLogins, handleLogin } from './login.ts';
import { createProvider, type FapiClient } from './provider.ts';

export { headlessAuthorize } from './headless.ts';
export type { FapiClient } from './provider.ts';

export interface SingpassFapiIssuerOptions {
  /** 0 picks a free port. */
  port: number;
  clients: FapiClient[];
}

export interface SingpassFapiIssuer {
  issuer: string;
  discoveryUrl: string;
  /** Test control: as if the issuer's cache of every client JWKS had run out, so each is refetched. */
  expireClientKeyCaches(): Promise<void>;
  stop(): Promise<void>;
}

/** oidc-provider keeps a client's fetched JWKS until `freshUntil` (epoch seconds); not in its types. */
interface CachedClientKeys {
  asymmetricKeyStore?: { freshUntil?: number };
}

/** A Singpass FAPI 2.0 issuer on loopback, with a fresh ES256 signing key each start. */
export const startSingpassFapiIssuer = async (
  options: SingpassFapiIssuerOptions,
): Promise<SingpassFapiIssuer> => {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const signingJwk = {
    ...(await exportJWK(privateKey)),
    kid: `fapi-issuer-${Date.now()}`,
    use: 'sig',
    alg: 'ES256',
  };
  const accounts = new Map<string, string>();
  const headless = new HeadlessLogins();
  let provider: ReturnType<typeof createProvider> | undefined;

  const server = createServer((req, res) => {
    if (!provider) return answerSimulatorError(res, new Error('issuer not ready'), 'Singpass FAPI');
    if (!(req.url ?? '').startsWith('/interaction/')) return void provider.callback()(req, res);
    handleLogin(provider, headless, accounts, req, res).catch((error: unknown) =>
      answerSimulatorError(res, error, 'Singpass FAPI'),
    );
  });
  // The issuer identifier carries the port, which is known only once listening.
  const issuer = await listenOnLoopback(server, options.port);
  provider = createProvider({
    issuer,
    clients: options.clients,
    signingJwk,
    nricOf: (uuid) => accounts.get(uuid),
    headless,
  });
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    expireClientKeyCaches: async () => {
      for (const { clientId } of options.clients) {
        const client = (await provider?.Client.find(clientId)) as CachedClientKeys | undefined;
        if (client?.asymmetricKeyStore) client.asymmetricKeyStore.freshUntil = 0;
      }
    },
    stop: () => closeServer(server),
  };
};
