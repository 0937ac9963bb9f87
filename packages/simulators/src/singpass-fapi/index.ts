import { createServer } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import type Provider from 'oidc-provider';
import { answerSimulatorError, closeServer, listenOnLoopback, sendJson } from '../http.ts';
import { ClientRegistry, type FapiClient } from './clients.ts';
import { HeadlessLogins, handleLogin } from './login.ts';
import { INTERACTION_PATH, MOUNT_PATH, unmounted } from './mount.ts';
import { createProvider, type IssuerControls } from './provider.ts';

export type { FapiClient } from './clients.ts';
export { headlessAuthorize } from './headless.ts';
export type { Person } from './login.ts';

export interface SingpassFapiIssuerOptions {
  /** 0 picks a free port. */
  port: number;
  clients: FapiClient[];
}

export interface SingpassFapiIssuer {
  /** `http://127.0.0.1:<port>/fapi`: like Singpass, the issuer identifier has the /fapi path; discovery at `${issuer}/.well-known/openid-configuration`, every endpoint under /fapi. */
  issuer: string;
  discoveryUrl: string;
  /** Test control: as if the issuer's cache of every client JWKS had run out, so each is refetched. */
  expireClientKeyCaches(): Promise<void>;
  /** Test control: the issuer's clock runs this many seconds ahead when it checks DPoP proofs' exp (simulates drift; 0 = none). */
  setClockSkew(seconds: number): void;
  /** Test control: require DPoP nonces (answers use_dpop_nonce + DPoP-Nonce header first, as RFC 9449 allows). Off by default. */
  requireDpopNonce(on: boolean): void;
  stop(): Promise<void>;
}

/** oidc-provider keeps a client's fetched JWKS until `freshUntil` (epoch seconds); not in its types. */
interface CachedClientKeys {
  asymmetricKeyStore?: { freshUntil?: number };
}

/** A Singpass FAPI 2.0 issuer on loopback, under /fapi, with a fresh ES256 signing key each start. */
export const startSingpassFapiIssuer = async (
  options: SingpassFapiIssuerOptions,
): Promise<SingpassFapiIssuer> => {
  // Checked before listening, so a registration Singpass would not accept stops the start.
  const registry = new ClientRegistry(options.clients);
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const signingJwk = {
    ...(await exportJWK(privateKey)),
    kid: `fapi-issuer-${Date.now()}`,
    use: 'sig',
    alg: 'ES256',
  };
  const accounts = new Map<string, string>();
  const headless = new HeadlessLogins();
  const controls: IssuerControls = { skewSeconds: 0, dpopNonceRequired: false };
  let provider: ReturnType<typeof createProvider> | undefined;
  let handleInProvider: ReturnType<Provider['callback']> | undefined;

  const server = createServer((req, res) => {
    if (!provider || !handleInProvider) {
      return answerSimulatorError(res, new Error('issuer not ready'), 'Singpass FAPI');
    }
    if ((req.url ?? '').startsWith(INTERACTION_PATH)) {
      handleLogin(provider, headless, accounts, req, res).catch((error: unknown) =>
        answerSimulatorError(res, error, 'Singpass FAPI'),
      );
      return;
    }
    const mounted = unmounted(req);
    if (mounted) {
      handleInProvider(mounted, res);
    } else {
      sendJson(res, 404, {
        error: 'not_found',
        error_description: `nothing is served outside ${MOUNT_PATH}`,
      });
    }
  });
  // The issuer identifier carries the port, which is known only once listening.
  const issuer = `${await listenOnLoopback(server, options.port)}${MOUNT_PATH}`;
  provider = createProvider({
    issuer,
    registry,
    signingJwk,
    nricOf: (uuid) => accounts.get(uuid),
    headless,
    controls,
  });
  handleInProvider = provider.callback();
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    expireClientKeyCaches: async () => {
      for (const { clientId } of registry.all) {
        const client = (await provider?.Client.find(clientId)) as CachedClientKeys | undefined;
        if (client?.asymmetricKeyStore) client.asymmetricKeyStore.freshUntil = 0;
      }
    },
    setClockSkew: (seconds) => {
      controls.skewSeconds = seconds;
    },
    requireDpopNonce: (on) => {
      controls.dpopNonceRequired = on;
    },
    stop: () => closeServer(server),
  };
};
