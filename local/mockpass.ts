import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

/**
 * MockPass (the Singpass team's own mock) in this process, with Myinfo's Test-environment
 * behaviour switched on: it checks our PKI_SIGN signatures (SERVICE_PROVIDER_MYINFO_SECRET) and
 * signs then encrypts person data (ENCRYPT_MYINFO). It reads these at load time, so they are
 * set before the first require.
 */
const require = createRequire(import.meta.url);
const certsDir = join(dirname(require.resolve('@opengovsg/mockpass/package.json')), 'static', 'certs');

/** MockPass's bundled relying-party key pair (our local Myinfo key) and its own signing cert. */
export const mockpassKeys = {
  relyingPartyPrivateKeyPem: readFileSync(join(certsDir, 'key.pem'), 'utf8'),
  relyingPartyCertificatePem: readFileSync(join(certsDir, 'server.crt'), 'utf8'),
  mockpassCertificatePem: readFileSync(join(certsDir, 'spcp.crt'), 'utf8'),
};

export interface MockPass {
  url: string;
  /** Base URL of its Myinfo v3 routes (MockPass serves them under /myinfo/v3, not /com/v3). */
  myinfoBaseUrl: string;
  /** Its Singpass (NDI OIDC v2) discovery document. */
  singpassDiscoveryUrl: string;
  stop(): Promise<void>;
}

interface ExpressApp {
  listen(port: number, host: string, callback: () => void): Server;
}

export interface MockPassOptions {
  myinfoClientSecret: string;
  /** Where MockPass fetches our relying-party JWKS to check client assertions and encrypt ID tokens. */
  relyingPartyJwksUrl: string;
}

export const startMockPass = async (port: number, options: MockPassOptions): Promise<MockPass> => {
  process.env.SERVICE_PROVIDER_MYINFO_SECRET = options.myinfoClientSecret;
  process.env.SP_RP_JWKS_ENDPOINT = options.relyingPartyJwksUrl;
  process.env.ENCRYPT_MYINFO = 'true';
  // A person picks a persona on MockPass's login page; tests skip it with X-Show-Login-Page: false.
  process.env.SHOW_LOGIN_PAGE ??= 'true';
  const { app } = require('@opengovsg/mockpass') as { app: ExpressApp };
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, '127.0.0.1', () => resolve(listening));
    listening.once('error', reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    myinfoBaseUrl: `${url}/myinfo/v3`,
    singpassDiscoveryUrl: `${url}/singpass/v2/.well-known/openid-configuration`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
