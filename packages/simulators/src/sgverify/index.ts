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
import type { SgVerifyContext, SgVerifyGrant } from './context.ts';
import { handlePerson, PERSON_PATH } from './person.ts';
import { handleScan, SCAN_PATH } from './scan.ts';
import { ScannedNonces } from './scanned-nonces.ts';
import { handleToken, TOKEN_PATH } from './token.ts';

/**
 * SG-Verify v2 and the Singpass app's part in it, on loopback, for local mode and tests. The
 * "phone" scans a partner's signed QR URL and delivers a single-use code to the partner's
 * callback; the API then checks what the real service checks: PKI_SIGN with timestamp and nonce
 * replay, the client secret, the code bound to the QR's callback and state, the token's subject
 * (the person's uuid) and scope, and answers with a JWE(JWS) only the partner can open.
 */
export { SGVERIFY_ATTRIBUTES, type SgVerifyAttribute } from './attributes.ts';
export { SGVERIFY_PERSONAS, type SgVerifyPersona } from './personas.ts';

export interface SgVerifySimulatorOptions {
  /** 0 picks any free port; the simulator always listens on 127.0.0.1 only. */
  port: number;
  /** The one registered partner, which is also its PKI_SIGN app_id. */
  clientId: string;
  clientSecret: string;
  /** The partner's RSA public key or X.509 certificate (PEM): verifies QR URLs and PKI_SIGN, encrypts answers. */
  clientPublicKeyPem: string;
  /** The partner's registered callbacks: a QR whose callback is under none of them is refused. */
  allowedCallbackPrefixes: string[];
}

export interface SgVerifySimulator {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `${url}/sgverify/v2`: token and person. */
  apiBaseUrl: string;
  /** `${url}/sgverify`: the base of the QR URLs partners build (stands in for the Singpass app's). */
  qrBaseUrl: string;
  /** `${url}/phone`: POST `${phoneUrl}/scan` with `{ url, uinfin }` to scan a QR code as that persona. */
  phoneUrl: string;
  /** The simulator's own public key (SPKI PEM), which verifies its access tokens and person JWS. */
  certificatePem: string;
  stop(): Promise<void>;
}

const CODE_LIFETIME_MS = 5 * 60_000;

const route = async (ctx: SgVerifyContext, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const { path, query } = requestTarget(req);
  const expect = (method: 'GET' | 'POST') => {
    if (req.method !== method) throw new SimulatorError(405, `${path} accepts ${method} only`);
  };
  if (path === SCAN_PATH) {
    expect('POST');
    return handleScan(ctx, req, res);
  }
  if (path === TOKEN_PATH) {
    expect('POST');
    return handleToken(ctx, req, res, path);
  }
  const person = PERSON_PATH.exec(path);
  if (person) {
    expect('GET');
    const [, uuid = ''] = person;
    return handlePerson(ctx, req, res, { path, uuid, query: uniqueParams(query) });
  }
  throw new SimulatorError(404, `no such resource: ${path}`);
};

export const startSgVerifySimulator = async (
  options: SgVerifySimulatorOptions,
): Promise<SgVerifySimulator> => {
  const clientKey = rsaPublicKey(options.clientPublicKeyPem);
  if (!options.allowedCallbackPrefixes.length) throw new Error('allowedCallbackPrefixes must not be empty');
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let ctx: SgVerifyContext | undefined;

  const server = createServer((req, res) => {
    if (!ctx) {
      answerSimulatorError(res, new SimulatorError(503, 'simulator is starting'), 'SG-Verify');
      return;
    }
    route(ctx, req, res).catch((error: unknown) => answerSimulatorError(res, error, 'SG-Verify'));
  });
  const url = await listenOnLoopback(server, options.port);
  const apiBaseUrl = `${url}/sgverify/v2`;
  const qrBaseUrl = `${url}/sgverify`;

  ctx = {
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    clientKey,
    signingKey: signing.privateKey,
    qrBaseUrl,
    allowedCallbackPrefixes: [...options.allowedCallbackPrefixes],
    pki: createPkiSignVerifier({
      publicKeyFor: (appId) => (appId === options.clientId ? clientKey : undefined),
    }),
    tokens: createAccessTokens({
      privateKey: signing.privateKey,
      publicKey: signing.publicKey,
      issuer: apiBaseUrl,
      audience: options.clientId,
    }),
    codes: new SingleUseStore<SgVerifyGrant>(CODE_LIFETIME_MS),
    scannedNonces: new ScannedNonces(),
  };

  return {
    url,
    apiBaseUrl,
    qrBaseUrl,
    phoneUrl: `${url}/phone`,
    certificatePem: signing.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    stop: () => closeServer(server),
  };
};
