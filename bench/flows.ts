import { performance } from 'node:perf_hooks';
import { secretsManagerSource } from '../shared/adapters/secrets-manager.ts';
import { systemClock } from '../shared/adapters/system-clock.ts';
import { decryptJwe, verifyJws, verifyJwt } from '../shared/crypto/pinned-jose.ts';
import { pkiSignHeader } from '../shared/crypto/pki-sign.ts';
import { tokenSealer } from '../shared/crypto/secpass-token.ts';
import { pkiCredentials } from '../shared/secrets/pki-credentials.ts';
import { consentAndReturn } from '../test/helpers/browser.ts';
import type { DemoFile } from './stack-process.ts';

/**
 * Three figures per Myinfo flow, in the same run:
 *  (a) GET /myinfo/token through the local gateway (authorizer, handler, DynamoDB, Secrets, MockPass);
 *  (b) the same two upstream calls made directly to MockPass, signatures computed beforehand;
 *  (c) our cryptography alone on that flow's material: two PKI_SIGN signatures, access-token
 *      verification, JWE decryption, JWS verification and sealing.
 * Broker overhead = (a) − (b); (c) is its floor.
 */
export interface FlowFigures {
  route: number[];
  upstream: number[];
  crypto: number[];
}

const PERSONA = { nric: 'S9812381D', uuid: 'b6cb9308-733b-42b3-ad38-9b5afc890206' };
const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
};

export const measureFlows = async (stack: DemoFile, flows: number, warmup: number): Promise<FlowFigures> => {
  const app = stack.apps[0];
  if (!app) throw new Error('no demo app');
  const { d: _private, ...appPublicJwk } = app.privateJwk;
  const secrets = secretsManagerSource();
  const credentials = await pkiCredentials(secrets, () => stack.secretIds.myinfo)();
  const tokens = tokenSealer(
    { issuer: 'bench', ttlSeconds: 300, signingSecretId: () => stack.secretIds.signing },
    { secrets, clock: systemClock },
  );
  const myinfoBase = `${stack.upstreams.mockpass}/myinfo/v3`;
  const headers = { Authorization: `Basic ${app.apiKey}` };
  const figures: FlowFigures = { route: [], upstream: [], crypto: [] };

  for (let i = 0; i < warmup + flows; i += 1) {
    const init = await fetch(`${stack.gatewayUrl}/myinfo/init`, { headers, redirect: 'manual' });
    const authorise = new URL(init.headers.get('location') ?? '');
    const { code, state } = await consentAndReturn(authorise.toString(), app.callbacks.myinfo, PERSONA);
    const attributes = authorise.searchParams.get('attributes') ?? '';

    // (b)'s requests, signed before the clock starts.
    const tokenUrl = `${myinfoBase}/token`;
    const tokenParams = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: app.callbacks.myinfo,
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      state,
    };
    const tokenAuth = pkiSignHeader(
      { method: 'POST', url: tokenUrl, params: tokenParams, appId: credentials.clientId },
      credentials.signingKey,
    );
    const personUrl = `${myinfoBase}/person/${PERSONA.nric}/`;
    const personParams = { client_id: credentials.clientId, attributes };
    const personAuth = pkiSignHeader(
      { method: 'GET', url: personUrl, params: personParams, appId: credentials.clientId },
      credentials.signingKey,
    );

    const [routeResponse, routeMs] = await timed(async () => {
      const response = await fetch(
        `${stack.gatewayUrl}/myinfo/token?${new URLSearchParams({ code, state })}`,
        { headers },
      );
      await response.text();
      return response;
    });
    if (routeResponse.status !== 200) throw new Error(`route answered ${routeResponse.status}`);

    // MockPass does not retire codes, so the same code serves the direct calls.
    const [{ accessToken, personJwe }, upstreamMs] = await timed(async () => {
      const tokenResponse = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: tokenAuth },
        body: new URLSearchParams(tokenParams).toString(),
      });
      const { access_token } = (await tokenResponse.json()) as { access_token: string };
      const personResponse = await fetch(`${personUrl}?${new URLSearchParams(personParams)}`, {
        headers: { Authorization: `${personAuth},Bearer ${access_token}` },
      });
      return { accessToken: access_token, personJwe: await personResponse.text() };
    });

    const [, cryptoMs] = await timed(async () => {
      for (const request of [
        { method: 'POST' as const, url: tokenUrl, params: tokenParams, appId: credentials.clientId },
        { method: 'GET' as const, url: personUrl, params: personParams, appId: credentials.clientId },
      ]) {
        pkiSignHeader(request, credentials.signingKey);
      }
      await verifyJwt(accessToken, credentials.upstreamKeys, 'RS256');
      const jws = await decryptJwe(personJwe, credentials.privateKeys, 'RSA-OAEP', 'A256GCM');
      const payload = await verifyJws(new TextDecoder().decode(jws), credentials.upstreamKeys, 'RS256');
      await tokens.sealDataToken(payload, { appId: 'app_bench', publicJwk: appPublicJwk });
    });

    if (i >= warmup) {
      figures.route.push(routeMs);
      figures.upstream.push(upstreamMs);
      figures.crypto.push(cryptoMs);
    }
  }
  return figures;
};
