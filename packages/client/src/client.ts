import type { CryptoKey, JWK } from 'jose';
import { createCall } from './http.ts';
import type { MyinfoBusinessPayload, MyinfoPayload, VerifiedLogin } from './payloads.ts';
import { type CpfhubRoutes, cpfhubRoutes } from './routes/cpfhub.ts';
import { type DataProductRoutes, myinfoBusinessRoutes, myinfoRoutes } from './routes/data-products.ts';
import { type SgVerifyRoutes, sgverifyRoutes } from './routes/sgverify.ts';
import { type SingpassRoutes, singpassRoutes } from './routes/singpass.ts';
import { createTokenChecks, type OpenedDataToken } from './tokens.ts';

export interface SecpassClientOptions {
  /** Secpass's API base, stage included: `https://<id>.execute-api.<region>.amazonaws.com/v1/` (the stack's `ApiUrl`). */
  baseUrl: string;
  /** The app's API key (`npm run apps -- create` prints it once). */
  apiKey: string;
  /** The app's id: the audience of every token for it. */
  appId: string;
  /** The app's EC P-256 private key (a JWK with `d`, or an imported key). */
  privateKey: JWK | CryptoKey;
  /** The `iss` Secpass puts in its tokens (`SECPASS_ISSUER`); default `baseUrl` as given, which is what the stack sets. */
  issuer?: string;
  /** Default `<baseUrl>/.well-known/jwks.json`. */
  jwksUrl?: string;
  /** Clock difference tolerated between Secpass and the app (default 30 s). */
  clockToleranceSeconds?: number;
  /** Per call to Secpass (default 35 s: Secpass's handlers give up after 29 s). */
  requestTimeoutMs?: number;
  /** Default the global `fetch`; tests inject their own. */
  fetch?: typeof fetch;
}

export interface SecpassClient {
  myinfo: DataProductRoutes<MyinfoPayload>;
  myinfobiz: DataProductRoutes<MyinfoBusinessPayload>;
  singpass: SingpassRoutes;
  sgverify: SgVerifyRoutes;
  cpfhub: CpfhubRoutes;
  /** Decrypts, verifies and checks a data token (Myinfo, Myinfo Business, SG-Verify, CPFHub grant). */
  openDataToken<T = unknown>(token: string): Promise<OpenedDataToken<T>>;
  /** Verifies a Singpass login token. */
  verifyLoginToken(token: string): Promise<VerifiedLogin>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 35_000;

export const createSecpassClient = (options: SecpassClientOptions): SecpassClient => {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const tokens = createTokenChecks({
    appId: options.appId,
    privateKey: options.privateKey,
    issuer: options.issuer ?? options.baseUrl,
    jwksUrl: options.jwksUrl ?? `${options.baseUrl.replace(/\/+$/, '')}/.well-known/jwks.json`,
    fetch: fetchImpl,
    ...(options.clockToleranceSeconds === undefined
      ? {}
      : { clockToleranceSeconds: options.clockToleranceSeconds }),
  });
  const call = createCall({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    fetch: fetchImpl,
    timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
  });
  return {
    myinfo: myinfoRoutes(call, tokens),
    myinfobiz: myinfoBusinessRoutes(call, tokens),
    singpass: singpassRoutes(call, tokens),
    sgverify: sgverifyRoutes(call, tokens),
    cpfhub: cpfhubRoutes(call, tokens),
    openDataToken: tokens.openDataToken,
    verifyLoginToken: tokens.verifyLoginToken,
  };
};
