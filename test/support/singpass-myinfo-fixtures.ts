import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { compactDecrypt, compactVerify, importJWK, type JWK, jwtVerify } from 'jose';
import { loadOrCreateDevKeys, newAppKeyPair, newSigningJwk } from '../../local/dev-keys.ts';
import { generateApiKey, hashApiKey } from '../../shared/apps/api-key.ts';
import type { AppRecord } from '../../shared/apps/app-record.ts';
import type { Caller } from '../../shared/apps/caller.ts';
import { type FlowContext, flowContext } from '../../shared/core/flow-context.ts';
import type { Fetch } from '../../shared/core/ports.ts';
import { type SingpassSecret, singpassPublicJwks } from '../../shared/secrets/singpass-keys.ts';
import { type MovableClock, memoryAppDirectory, memorySecrets, memoryStateStore } from './memory-ports.ts';
import { travellingSystemClock } from './travelling-clock.ts';

/**
 * What the Singpass and Myinfo unit tests share: the ports in memory around a flow context, our
 * keys as the secrets hold them, apps with their API keys, and a fetch a test scripts per call.
 */

export const SECPASS_ISSUER = 'https://secpass.test';
export const SIGNING_SECRET = 'test/signing';
export const SINGPASS_SECRET = 'test/singpass';
export const MYINFO_SECRET = 'test/myinfo';

/** The answer that never comes: the call waits until its signal aborts it. */
export const HANG = Symbol('hang');
export type Answer = Response | typeof HANG;

/** A fetch whose answers a test writes; a thrown error is the transport failing. */
export const scriptedFetch = (
  answer: (url: URL, init: RequestInit) => Answer | Promise<Answer>,
): Fetch & { calls: string[] } => {
  const calls: string[] = [];
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    calls.push(`${init.method ?? 'GET'} ${url}`);
    const answered = await answer(new URL(url), init);
    if (answered !== HANG) return answered;
    const { signal } = init;
    return new Promise((_, reject) => {
      if (!signal) return;
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  };
  return Object.assign(fetch, { calls });
};

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

export const text = (status: number, body: string): Response =>
  new Response(body, { status, headers: { 'Content-Type': 'text/html' } });

/** Our Singpass relying-party secret (legacy and FAPI keys), its private JWKs and what we publish. */
export const singpassSecretOf = async (): Promise<{ secret: SingpassSecret; jwks: { keys: JWK[] } }> => {
  const keys = await loadOrCreateDevKeys(undefined);
  const secret = {
    signingKeys: [keys.singpassSigningJwk],
    encryptionKeys: [keys.singpassEncryptionJwk],
    fapi: { signingKeys: [keys.fapiSigningJwk], encryptionKeys: [keys.fapiEncryptionJwk] },
  } as SingpassSecret;
  return { secret, jwks: { keys: singpassPublicJwks(secret) as JWK[] } };
};

/** Our JWKS on loopback, where an issuer that checks our assertions and encrypts to us fetches it. */
export const serveJwks = async (
  jwks: () => { keys: JWK[] },
): Promise<{ url: string; stop(): Promise<void> }> => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/singpass/jwks`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};

export interface TestApp {
  record: AppRecord;
  apiKey: string;
  privateJwk: JWK;
  caller: Caller;
}

export const newApp = async (
  appId: string,
  providers: AppRecord['providers'],
  status: AppRecord['status'] = 'active',
): Promise<TestApp> => {
  const { publicJwk, privateJwk } = await newAppKeyPair();
  const apiKey = generateApiKey();
  const record: AppRecord = {
    appId,
    name: appId,
    status,
    apiKeyHash: hashApiKey(apiKey),
    publicJwk: publicJwk as AppRecord['publicJwk'],
    providers,
    createdAt: '2026-01-01T00:00:00.000Z',
  };
  return { record, apiKey, privateJwk, caller: { appId, keyHash: hashApiKey(apiKey) } };
};

export interface Harness {
  context: FlowContext;
  clock: MovableClock;
  secrets: ReturnType<typeof memorySecrets>;
  apps: ReturnType<typeof memoryAppDirectory>;
  states: ReturnType<typeof memoryStateStore>;
  signingJwk: JWK;
  /** The login token's claims, once its signature, issuer and audience verify. */
  openLoginToken(token: string, app: TestApp): Promise<Record<string, unknown>>;
  /** The data token's payload bytes, once it opens with the app's key and its signature verifies. */
  openDataToken(token: string, app: TestApp): Promise<Uint8Array>;
}

export const harness = async (options: {
  fetch: Fetch;
  secrets?: Record<string, unknown>;
  clock?: MovableClock;
  upstreamTimeoutMs?: number;
}): Promise<Harness> => {
  const signingJwk = await newSigningJwk();
  const clock = options.clock ?? travellingSystemClock();
  const secrets = memorySecrets({ [SIGNING_SECRET]: { keys: [signingJwk] }, ...options.secrets });
  const apps = memoryAppDirectory();
  const states = memoryStateStore(clock);
  const context = flowContext(
    { clock, fetch: options.fetch, secrets, apps, states },
    {
      token: { issuer: SECPASS_ISSUER, ttlSeconds: 300, signingSecretId: () => SIGNING_SECRET },
      stateTtlSeconds: 600,
      upstreamTimeoutMs: options.upstreamTimeoutMs ?? 300,
    },
  );
  const { d: _private, ...signingPublic } = signingJwk;
  const verifyingKey = await importJWK(signingPublic, 'ES256');
  return {
    context,
    clock,
    secrets,
    apps,
    states,
    signingJwk,
    openLoginToken: async (token, app) =>
      (
        await jwtVerify(token, verifyingKey, {
          issuer: SECPASS_ISSUER,
          audience: app.record.appId,
          algorithms: ['ES256'],
          currentDate: new Date(clock.nowSeconds() * 1000),
        })
      ).payload,
    openDataToken: async (token, app) => {
      const { plaintext } = await compactDecrypt(token, await importJWK(app.privateJwk, 'ECDH-ES'));
      const { payload, protectedHeader } = await compactVerify(
        new TextDecoder().decode(plaintext),
        verifyingKey,
      );
      if (protectedHeader.aud !== app.record.appId) throw new Error('sealed for another app');
      return payload;
    },
  };
};
