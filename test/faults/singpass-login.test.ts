import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FaultProxy } from '@secpass/simulators/fault-proxy';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { demoApp, expectError } from '../helpers/assertions.ts';
import {
  ANY_PATH,
  countItems,
  describeOutcome,
  type FaultCase,
  transportFaults,
} from '../helpers/fault-cases.ts';
import { idTokenEncryptedToStranger, idTokenSignedByStranger } from '../helpers/fault-forgeries.ts';
import {
  FAULT_TEST_TIMEOUT_MS,
  faultProxyFor,
  pointUpstream,
  useShortUpstreamTimeout,
} from '../helpers/fault-upstreams.ts';
import { PERSONAS, postJson, singpassLogin } from '../helpers/flows.ts';

/**
 * Singpass Login (NDI OIDC, MockPass) with the fault proxy in front of all of MockPass and the
 * discovery URL on the proxy. MockPass builds its issuer and endpoints from the Host header, which
 * the proxy passes on unchanged, so the discovery document itself sends the token call (and the
 * JWKS fetch, and the browser) through the proxy, and `iss`/`aud` stay consistent. Every failure is
 * `500 upstream_*`; the state is spent before the code exchange.
 */
let stack: LocalStack;
let singpass: FaultProxy;
let proxiedDiscovery: string;
before(async () => {
  useShortUpstreamTimeout();
  stack = await startLocalStack();
  singpass = await faultProxyFor('SINGPASS_DISCOVERY_URL');
  proxiedDiscovery = process.env.SINGPASS_DISCOVERY_URL ?? '';
});
after(async () => {
  await singpass?.stop();
  await stack?.stop();
});

const app = () => demoApp(stack, 0);
const userInfo = (code: string, state: string) =>
  postJson(stack, app().apiKey, '/oidc/singpass/userInfo', { authCode: code, state });

/** The client id the token call names: the forged ID token is addressed to it, as a real one would be. */
const idTokenClaims = (body: Buffer) => ({
  issuer: `${singpass.url}/singpass/v2`,
  clientId: new URLSearchParams(body.toString('utf8')).get('client_id') ?? '',
});

const TOKEN = /\/singpass\/v2\/token$/;
const relyingPartyJwks = () => `${stack.gatewayUrl}/singpass/jwks`;

const TOKEN_CASES: FaultCase[] = [
  ...transportFaults('token', TOKEN),
  {
    name: 'token answer random bytes',
    fault: { kind: 'garbage', shape: 'random-bytes' },
    path: TOKEN,
    failure: 'bad_response',
  },
  {
    name: 'token answer an HTML page',
    fault: { kind: 'garbage', shape: 'not-json' },
    path: TOKEN,
    failure: 'bad_response',
  },
  {
    name: 'ID token encrypted to us but signed by a stranger',
    fault: {
      kind: 'forge',
      answer: (request) => idTokenSignedByStranger(relyingPartyJwks(), idTokenClaims(request.body)),
    },
    path: TOKEN,
    failure: 'bad_token',
  },
  {
    name: 'ID token encrypted to a stranger',
    fault: { kind: 'forge', answer: (request) => idTokenEncryptedToStranger(idTokenClaims(request.body)) },
    path: TOKEN,
    failure: 'bad_encryption',
  },
  { name: 'every answer 100 ms late', fault: { kind: 'slow', ms: 100 }, path: ANY_PATH, failure: undefined },
  {
    name: 'every answer labelled text/html',
    fault: { kind: 'garbage', shape: 'wrong-content-type' },
    path: ANY_PATH,
    failure: undefined,
  },
];

describe('Singpass Login userInfo behind a faulty network', () => {
  for (const { name, fault, path, failure } of TOKEN_CASES) {
    test(`${name} → ${describeOutcome(failure, 500)}; the state stays spent`, {
      timeout: FAULT_TEST_TIMEOUT_MS,
    }, async () => {
      const { code, state } = await singpassLogin(stack, app(), PERSONAS.citizen);
      const faultedBefore = singpass.stats().faulted;
      singpass.setFault(fault, { path });
      let response: Response;
      try {
        response = await userInfo(code, state);
      } finally {
        singpass.clearFault();
      }
      assert.ok(singpass.stats().faulted > faultedBefore, 'the fault met the call');
      if (failure) {
        const body = await expectError(response, 500, `upstream_${failure}`);
        assert.ok(String(body.message).startsWith('Singpass '), String(body.message));
      } else {
        assert.equal(response.status, 200);
        assert.ok(((await response.json()) as { token?: string }).token);
      }
      await expectError(await userInfo(code, state), 400, 'state_used');
    });
  }
});

const DISCOVERY = /\/openid-configuration$/;
const DISCOVERY_CASES: FaultCase[] = [
  ...transportFaults('discovery', DISCOVERY),
  {
    name: 'discovery answer an HTML page',
    fault: { kind: 'garbage', shape: 'not-json' },
    path: DISCOVERY,
    failure: 'bad_response',
  },
];

describe('Singpass Login authReqUri when discovery fails', () => {
  let attempt = 0;
  after(() => pointUpstream('SINGPASS_DISCOVERY_URL', proxiedDiscovery));

  for (const { name, fault, path, failure } of DISCOVERY_CASES) {
    test(`${name} → ${describeOutcome(failure, 500)}; no state saved; the next login works`, {
      timeout: FAULT_TEST_TIMEOUT_MS,
    }, async () => {
      // Discovery is cached an hour per URL: a URL of its own makes this call fetch it afresh.
      attempt += 1;
      pointUpstream('SINGPASS_DISCOVERY_URL', `${proxiedDiscovery}?attempt=${attempt}`);
      const statesBefore = await countItems('STATE#');
      singpass.setFault(fault, { path });
      let response: Response;
      try {
        response = await postJson(stack, app().apiKey, '/oidc/singpass/authReqUri', { purpose: 'login' });
      } finally {
        singpass.clearFault();
      }
      await expectError(response, 500, `upstream_${failure}`);
      assert.equal(await countItems('STATE#'), statesBefore);
      // A failed discovery is not cached: the next call fetches it again and works.
      const { code, state } = await singpassLogin(stack, app(), PERSONAS.citizen);
      assert.equal((await userInfo(code, state)).status, 200);
    });
  }
});
