import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ProcessUsage } from '../local/usage-reporter.ts';
import { createSecpassClient, type MyinfoPayload, myinfoPersonOf } from '../packages/client/src/index.ts';
import { secretsManagerSource } from '../shared/adapters/secrets-manager.ts';
import { systemClock } from '../shared/adapters/system-clock.ts';
import { decryptJwe, verifyJws, verifyJwt } from '../shared/crypto/pinned-jose.ts';
import { pkiSignHeader } from '../shared/crypto/pki-sign.ts';
import { tokenSealer } from '../shared/crypto/secpass-token.ts';
import { PkiCredentialsSecret, pkiCredentials } from '../shared/secrets/pki-credentials.ts';
import { consentAndReturn } from '../test/helpers/browser.ts';
import { embeddedMyinfoApp } from './embedded-client.ts';
import type { StackProcess } from './stack-process.ts';

/**
 * The Myinfo token path, two ways in one run against the same MockPass, flows interleaved (and
 * which goes first alternating) so both see the same machine:
 *  (a) an app on Secpass: `GET /myinfo/token` through the local gateway (authorizer, handler,
 *      DynamoDB, Secrets, MockPass) and the app opening and verifying the token with
 *      `@secpass/client` (ECDH-ES decryption, ES256 verification against Secpass's cached JWKS);
 *  (b) an app embedding `@opengovsg/myinfo-gov-client` v4: `getAccessToken` + `getPerson`, with
 *      its own signing, decryption and verification (bench/embedded-client.ts);
 * plus (c) our cryptography alone on (b)'s material: two PKI_SIGN signatures, access-token
 * verification, JWE decryption, JWS verification and sealing: the floor of what the broker does.
 * Getting each flow's code (init, MockPass's login and consent) is outside every timed section.
 *
 * The broker process's CPU time is read (process.cpuUsage over IPC) just before and just after
 * each measured (a) token call, so it holds that call's work (gateway, authorizer cache, handler,
 * the local DynamoDB guard) and nothing else the bench drives (MockPass and DynamoDB Local are
 * processes of their own); the init that started the flow is read the same way. An empty pair of
 * reads is measured too, for what the reading itself costs.
 */
export interface FlowFigures {
  broker: number[];
  embedded: number[];
  crypto: number[];
  /** The broker process's CPU (user + system), ms, in each measured (a) flow's bracket. */
  brokerCpu: number[];
  /** The same for the `GET /myinfo/init` that started that flow (outside the timed section). */
  initCpu: number[];
  /** The same bracket with no request inside: the cost of reading the CPU time itself. */
  emptyBracketCpu: number[];
}

const PERSONA = { nric: 'S9812381D', uuid: 'b6cb9308-733b-42b3-ad38-9b5afc890206' };
const timed = async <T>(work: () => Promise<T>): Promise<[T, number]> => {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
};
const cpuMs = (before: ProcessUsage, after: ProcessUsage) =>
  (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000;

export const measureFlows = async (
  stack: Pick<StackProcess, 'demo' | 'usage'>,
  flows: number,
  warmup: number,
): Promise<FlowFigures> => {
  const { demo, usage } = stack;
  const app = demo.apps[0];
  if (!app) throw new Error('no demo app');
  const { d: _private, ...appPublicJwk } = app.privateJwk;
  const myinfoBase = `${demo.upstreams.mockpass}/myinfo/v3`;
  const callback = app.callbacks.myinfo;

  // (a): the app as the demo app configures @secpass/client (issuer and JWKS: the gateway's).
  const secpass = createSecpassClient({
    baseUrl: demo.gatewayUrl,
    jwksUrl: demo.secpassJwksUrl,
    apiKey: app.apiKey,
    appId: app.appId,
    privateKey: app.privateJwk,
  });

  // (b): the same Myinfo registration the broker uses (client id, secret, RSA key, MockPass's cert).
  const secrets = secretsManagerSource();
  const myinfoSecret = PkiCredentialsSecret.parse(
    JSON.parse((await secrets.read(demo.secretIds.myinfo)).text),
  );
  const clientId = demo.handlerEnvironment.MYINFO_CLIENT_ID ?? myinfoSecret.clientId ?? '';
  const attributes =
    new URL(await secpass.myinfo.authoriseUrl()).searchParams.get('attributes')?.split(',') ?? [];
  const embedded = embeddedMyinfoApp({
    myinfoBaseUrl: myinfoBase,
    clientId,
    clientSecret: myinfoSecret.clientSecret,
    privateKeyPem: myinfoSecret.privateKeys[0] ?? '',
    myinfoCertificatePem: myinfoSecret.upstreamCertificates[0] ?? '',
    redirectUrl: callback,
    attributes,
  });

  // (c): our own code on (b)'s material.
  const credentials = await pkiCredentials(
    secrets,
    () => demo.secretIds.myinfo,
    () => ({
      value: clientId,
      setting: 'MYINFO_CLIENT_ID',
    }),
  )();
  const tokens = tokenSealer(
    { issuer: 'bench', ttlSeconds: 300, signingSecretId: () => demo.secretIds.signing },
    { secrets, clock: systemClock },
  );

  const figures: FlowFigures = {
    broker: [],
    embedded: [],
    crypto: [],
    brokerCpu: [],
    initCpu: [],
    emptyBracketCpu: [],
  };

  const runBroker = async (measured: boolean) => {
    const beforeInit = await usage();
    const authoriseUrl = await secpass.myinfo.authoriseUrl();
    const afterInit = await usage();
    const { code, state } = await consentAndReturn(authoriseUrl, callback, PERSONA);
    const before = await usage();
    const [opened, elapsed] = await timed(() => secpass.myinfo.token(code, state));
    const after = await usage();
    if (myinfoPersonOf(opened.payload as MyinfoPayload).uinfin?.value !== PERSONA.nric) {
      throw new Error('(a) opened a token for someone else');
    }
    if (measured) {
      figures.broker.push(elapsed);
      figures.brokerCpu.push(cpuMs(before, after));
      figures.initCpu.push(cpuMs(beforeInit, afterInit));
    }
  };

  const runEmbedded = async (measured: boolean) => {
    const { code } = await consentAndReturn(
      embedded.authoriseUrl(randomBytes(16).toString('hex')),
      callback,
      PERSONA,
    );
    const [person, elapsed] = await timed(() => embedded.person(code));
    if (person.uinFin !== PERSONA.nric) throw new Error('(b) got someone else');

    const tokenUrl = `${myinfoBase}/token`;
    const tokenParams = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: callback,
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      state: 'bench',
    };
    const personUrl = `${myinfoBase}/person/${PERSONA.nric}/`;
    const personParams = { client_id: credentials.clientId, attributes: attributes.join(',') };
    const jwe = embedded.lastJwe();
    const [, cryptoMs] = await timed(async () => {
      pkiSignHeader(
        { method: 'POST', url: tokenUrl, params: tokenParams, appId: credentials.clientId },
        credentials.signingKey,
      );
      pkiSignHeader(
        { method: 'GET', url: personUrl, params: personParams, appId: credentials.clientId },
        credentials.signingKey,
      );
      await verifyJwt(person.accessToken, credentials.upstreamKeys, 'RS256');
      const jws = await decryptJwe(jwe, credentials.privateKeys, 'RSA-OAEP', 'A256GCM');
      const payload = await verifyJws(new TextDecoder().decode(jws), credentials.upstreamKeys, 'RS256');
      await tokens.sealDataToken(payload, { appId: app.appId, publicJwk: appPublicJwk });
    });
    if (measured) {
      figures.embedded.push(elapsed);
      figures.crypto.push(cryptoMs);
    }
  };

  for (let i = 0; i < warmup + flows; i += 1) {
    const measured = i >= warmup;
    if (i % 2 === 0) {
      await runBroker(measured);
      await runEmbedded(measured);
    } else {
      await runEmbedded(measured);
      await runBroker(measured);
    }
    if (measured) {
      const before = await usage();
      figures.emptyBracketCpu.push(cpuMs(before, await usage()));
    }
  }
  return figures;
};
