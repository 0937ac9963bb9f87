import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, requestTarget } from '../http.ts';
import { SingleUseStore } from '../single-use-store.ts';
import { handleApi, isApiPath } from './api.ts';
import { AUTHORIZE_PATH, handleAuthorize, handleConsentDecision } from './authorize.ts';
import type { AuthorizeRequest, CodeGrant, CpfhubContext } from './context.ts';
import { type CpfhubStats, SimulatorControls } from './controls.ts';
import { answerCpfhubError } from './errors.ts';
import {
  apiKeysFrom,
  type CpfhubSimulatorOptions,
  clientsFrom,
  DEFAULT_ACCESS_TOKEN_SECONDS,
  DEFAULT_REFRESH_TOKEN_SECONDS,
  lifetime,
} from './options.ts';
import type { RateLimit } from './rate-limit.ts';
import { handleRevoke, REVOKE_PATH } from './revoke.ts';
import { expectMethod, notFound } from './routes.ts';
import { handleToken, TOKEN_PATH } from './token-endpoint.ts';
import { TokenStore } from './tokens.ts';

/**
 * CPFHub on loopback, for local mode and tests: the contribution and statement API behind API-key
 * or OAuth Bearer tokens, and the OAuth 2.0 authorisation-code flow with PKCE, refresh-token
 * rotation with reuse detection, and revocation. Data is one employer's payroll, computed from
 * CPF's rates and the real clock. Test controls make the API slow, failing or rate-limited.
 */
export { type AccountAmounts, CPFHUB_EMPLOYEES, CPFHUB_EMPLOYER, type CpfhubEmployee } from './employees.ts';
export type { CpfhubSimulatorOptions } from './options.ts';
export { CPFHUB_SCOPES, type CpfhubScope } from './scopes.ts';

export interface CpfhubSimulator {
  /** http://127.0.0.1:<port> */
  url: string;
  /** `${url}/v1` */
  apiBaseUrl: string;
  /** `${url}/oauth`: authorize, token and revoke hang off it. */
  oauthBaseUrl: string;
  /** Counters for tests. */
  stats(): CpfhubStats;
  setRateLimit(limit: RateLimit | undefined): void;
  /** API (/v1) answers are delayed by this many ms (to let callers time out); 0 = none. */
  setResponseDelay(ms: number): void;
  /** While set, every /v1 call answers this status and body, to test that callers don't leak it. */
  setFault(fault: { status: number; body: string } | undefined): void;
  stop(): Promise<void>;
}

const CODE_LIFETIME_MS = 60_000;
const CONSENT_LIFETIME_MS = 10 * 60_000;

const route = async (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
  stopping: AbortSignal,
): Promise<void> => {
  const { path, query } = requestTarget(req);
  if (isApiPath(path)) return handleApi(ctx, req, res, { path, query }, stopping);
  if (path === AUTHORIZE_PATH) {
    const method = expectMethod(req, path, ['GET', 'POST']);
    return method === 'GET' ? handleAuthorize(ctx, req, res, query) : handleConsentDecision(ctx, req, res);
  }
  if (path === TOKEN_PATH) {
    expectMethod(req, path, ['POST']);
    return handleToken(ctx, req, res);
  }
  if (path === REVOKE_PATH) {
    expectMethod(req, path, ['POST']);
    return handleRevoke(ctx, req, res);
  }
  throw notFound(path);
};

export const startCpfhubSimulator = async (options: CpfhubSimulatorOptions): Promise<CpfhubSimulator> => {
  const controls = new SimulatorControls(options.rateLimit);
  const ctx: CpfhubContext = {
    apiKeys: apiKeysFrom(options),
    clients: clientsFrom(options),
    pendingConsents: new SingleUseStore<AuthorizeRequest>(CONSENT_LIFETIME_MS),
    codes: new SingleUseStore<CodeGrant>(CODE_LIFETIME_MS),
    tokens: new TokenStore({
      accessTokenSeconds: lifetime(
        options.accessTokenSeconds,
        DEFAULT_ACCESS_TOKEN_SECONDS,
        'accessTokenSeconds',
      ),
      refreshTokenSeconds: lifetime(
        options.refreshTokenSeconds,
        DEFAULT_REFRESH_TOKEN_SECONDS,
        'refreshTokenSeconds',
      ),
    }),
    controls,
  };
  // Ends the response delays still pending, so stop() does not wait for them.
  const stopping = new AbortController();

  const server = createServer((req, res) => {
    route(ctx, req, res, stopping.signal).catch((error: unknown) => answerCpfhubError(res, error));
  });
  const url = await listenOnLoopback(server, options.port);

  return {
    url,
    apiBaseUrl: `${url}/v1`,
    oauthBaseUrl: `${url}/oauth`,
    stats: () => ({ ...controls.stats }),
    setRateLimit: (limit) => controls.setRateLimit(limit),
    setResponseDelay: (ms) => controls.setResponseDelay(ms),
    setFault: (fault) => controls.setFault(fault),
    stop: () => {
      stopping.abort();
      return closeServer(server);
    },
  };
};
