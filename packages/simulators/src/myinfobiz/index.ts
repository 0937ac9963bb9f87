import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createAccessTokens } from '../access-token.ts';
import {
  answerSimulatorError,
  closeServer,
  listenOnLoopback,
  requestTarget,
  SimulatorError,
  uniqueParams,
} from '../http.ts';
import { createPkiSignVerifier } from '../pki-sign-verifier.ts';
import { rsaPublicKey } from '../signed-api.ts';
import { SingleUseStore } from '../single-use-store.ts';
import { handleAuthorise, handleConsent } from './authorise.ts';
import { CONSENT_PATH } from './consent-page.ts';
import type { AuthorisationGrant, AuthoriseRequest, SimulatorContext } from './context.ts';
import { ENTITY_PERSON_PATH, handleEntityPerson } from './entity-person.ts';
import { handleToken } from './token.ts';

/**
 * Myinfo Business v2 on loopback, for local mode and tests, checking what the real service checks:
 * PKI_SIGN signatures with timestamp and nonce replay, the client secret, single-use expiring
 * codes bound to their redirect_uri, the token's subject and consented scope, and answering with
 * a JWE(JWS) only the registered client can open.
 */
export { MYINFOBIZ_PERSONAS, type MyinfoBizPersona } from './personas.ts';

export interface MyinfoBizSimulatorOptions {
  /** 0 picks any free port; the simulator always listens on 127.0.0.1 only. */
  port: number;
  /** The one registered client, which is also its PKI_SIGN app_id. */
  clientId: string;
  clientSecret: string;
  /** The client's RSA public key or X.509 certificate (PEM): verifies PKI_SIGN, encrypts answers. */
  clientPublicKeyPem: string;
}

export interface MyinfoBizSimulator {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `${url}/biz/v2` */
  baseUrl: string;
  /** The simulator's own public key (SPKI PEM), which verifies its access tokens and payload JWS. */
  certificatePem: string;
  stop(): Promise<void>;
}

const CODE_LIFETIME_MS = 5 * 60_000;
const CONSENT_LIFETIME_MS = 10 * 60_000;

const route = async (ctx: SimulatorContext, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const { path, query } = requestTarget(req);
  const expect = (method: 'GET' | 'POST') => {
    if (req.method !== method) throw new SimulatorError(405, `${path} accepts ${method} only`);
  };
  if (path === '/biz/v2/authorise') {
    expect('GET');
    return handleAuthorise(ctx, req, res, uniqueParams(query));
  }
  if (path === CONSENT_PATH) {
    expect('POST');
    return handleConsent(ctx, req, res);
  }
  if (path === '/biz/v2/token') {
    expect('POST');
    return handleToken(ctx, req, res, path);
  }
  const entityPerson = ENTITY_PERSON_PATH.exec(path);
  if (entityPerson) {
    expect('GET');
    const [, uen = '', uinfin = ''] = entityPerson;
    return handleEntityPerson(ctx, req, res, { path, uen, uinfin, query: uniqueParams(query) });
  }
  throw new SimulatorError(404, `no such resource: ${path}`);
};

export const startMyinfoBizSimulator = async (
  options: MyinfoBizSimulatorOptions,
): Promise<MyinfoBizSimulator> => {
  const clientKey = rsaPublicKey(options.clientPublicKeyPem);
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let ctx: SimulatorContext | undefined;

  const server = createServer((req, res) => {
    if (!ctx) {
      answerSimulatorError(res, new SimulatorError(503, 'simulator is starting'), 'Myinfo Business');
      return;
    }
    route(ctx, req, res).catch((error: unknown) => answerSimulatorError(res, error, 'Myinfo Business'));
  });
  const url = await listenOnLoopback(server, options.port);
  const baseUrl = `${url}/biz/v2`;

  ctx = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    clientKey,
    signingKey: signing.privateKey,
    pki: createPkiSignVerifier({
      publicKeyFor: (appId) => (appId === options.clientId ? clientKey : undefined),
    }),
    tokens: createAccessTokens({
      privateKey: signing.privateKey,
      publicKey: signing.publicKey,
      issuer: baseUrl,
      audience: options.clientId,
    }),
    pendingConsents: new SingleUseStore<AuthoriseRequest>(CONSENT_LIFETIME_MS),
    codes: new SingleUseStore<AuthorisationGrant>(CODE_LIFETIME_MS),
  };

  return {
    url,
    baseUrl,
    certificatePem: signing.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    stop: () => closeServer(server),
  };
};
