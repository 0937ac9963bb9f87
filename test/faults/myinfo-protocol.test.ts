import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FaultProxy } from '@secpass/simulators/fault-proxy';
import { MYINFOBIZ_PERSONAS } from '@secpass/simulators/myinfobiz';
import { SGVERIFY_PERSONAS } from '@secpass/simulators/sgverify';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { UpstreamFailed } from '../../shared/core/errors.ts';
import { demoApp, expectError } from '../helpers/assertions.ts';
import { consentAndReturn } from '../helpers/browser.ts';
import { describeOutcome, type FaultCase, pkiOAuthFaultCases } from '../helpers/fault-cases.ts';
import { FAULT_TEST_TIMEOUT_MS, faultProxyFor, useShortUpstreamTimeout } from '../helpers/fault-upstreams.ts';
import { basic, myinfoConsent, myinfoToken, PERSONAS, postJson, tokenQuery } from '../helpers/flows.ts';

/**
 * The three upstreams that speak the Myinfo protocol (a PKI_SIGN token call, then a data call
 * answering JWE(JWS)), each behind a fault proxy, through the real routes: gateway → handler →
 * proxy → upstream. Myinfo v3 (MockPass) and Myinfo Business answer every failure `404 upstream_*`
 * naming the upstream, and the state, consumed before the code exchange, cannot be spent again.
 * SG-Verify is reached as in production (the phone scans, SG-Verify calls our public callback):
 * every failure is a 502 page naming it, nothing is stored, and a static QR serves the next scan.
 */
let stack: LocalStack;
let myinfo: FaultProxy;
let myinfobiz: FaultProxy;
let sgverify: FaultProxy;
before(async () => {
  useShortUpstreamTimeout();
  stack = await startLocalStack();
  myinfo = await faultProxyFor('MYINFO_BASE_URL');
  myinfobiz = await faultProxyFor('MYINFOBIZ_BASE_URL');
  sgverify = await faultProxyFor('SGVERIFY_API_BASE_URL');
});
after(async () => {
  await sgverify?.stop();
  await myinfobiz?.stop();
  await myinfo?.stop();
  await stack?.stop();
});

const app = () => demoApp(stack, 0);

interface DataProvider {
  name: string;
  proxy: () => FaultProxy;
  consent: () => Promise<{ code: string; state: string }>;
  token: (code: string, state: string) => Promise<Response>;
  cases: FaultCase[];
}

const [bizPersona] = MYINFOBIZ_PERSONAS;
if (!bizPersona) throw new Error('no Myinfo Business persona');

const PROVIDERS: DataProvider[] = [
  {
    name: 'Myinfo',
    proxy: () => myinfo,
    consent: () => myinfoConsent(stack, app(), PERSONAS.citizen),
    token: (code, state) => myinfoToken(stack, app().apiKey, tokenQuery(code, state)),
    cases: pkiOAuthFaultCases(PERSONAS.citizen.nric, /\/person\//),
  },
  {
    name: 'Myinfo Business',
    proxy: () => myinfobiz,
    consent: async () => {
      const init = await fetch(`${stack.gatewayUrl}/myinfobiz/init`, {
        headers: basic(app().apiKey),
        redirect: 'manual',
      });
      assert.equal(init.status, 302);
      return consentAndReturn(init.headers.get('location') ?? '', app().callbacks.myinfobiz, {
        nric: bizPersona.uinfin,
        uen: bizPersona.uen,
      });
    },
    token: (code, state) =>
      fetch(`${stack.gatewayUrl}/myinfobiz/token?${tokenQuery(code, state)}`, {
        headers: basic(app().apiKey),
      }),
    cases: pkiOAuthFaultCases(bizPersona.subject, /\/entity-person\//),
  },
];

for (const provider of PROVIDERS) {
  describe(`${provider.name} behind a faulty network`, () => {
    for (const { name, fault, path, failure } of provider.cases) {
      test(`${name} → ${describeOutcome(failure, 404)}; the state stays spent`, {
        timeout: FAULT_TEST_TIMEOUT_MS,
      }, async () => {
        const { code, state } = await provider.consent();
        const faultedBefore = provider.proxy().stats().faulted;
        provider.proxy().setFault(fault, { path });
        let response: Response;
        try {
          response = await provider.token(code, state);
        } finally {
          provider.proxy().clearFault();
        }
        assert.ok(provider.proxy().stats().faulted > faultedBefore, 'the fault met the call');
        if (failure) {
          const body = await expectError(response, 404, `upstream_${failure}`);
          assert.ok(String(body.message).startsWith(`${provider.name} `), String(body.message));
        } else {
          assert.equal(response.status, 200);
          assert.equal(response.headers.get('content-type'), 'application/jose');
        }
        // Consumed before the exchange (README: a failed exchange means starting again).
        await expectError(await provider.token(code, state), 400, 'state_used');
      });
    }
  });
}

const [visitor] = SGVERIFY_PERSONAS;
if (!visitor) throw new Error('no SG-Verify persona');

const staticQr = async (): Promise<{ url: string; state: string }> => {
  const response = await postJson(stack, app().apiKey, '/sgverify/qr', {
    qrType: 'static',
    kioskId: 'faults',
  });
  assert.equal(response.status, 200);
  return (await response.json()) as { url: string; state: string };
};

interface CallbackPage {
  status: number;
  contentType: string | null;
  text: string;
}

/**
 * Scans as the Singpass app does, and watches the callback it makes to Secpass on the way past (the
 * simulated phone calls with this process's fetch): the page SG-Verify got back.
 */
const scan = async (url: string): Promise<CallbackPage> => {
  const realFetch = globalThis.fetch;
  let page: Promise<CallbackPage> | undefined;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const answer = realFetch(input, init);
    const target = String(input instanceof Request ? input.url : input);
    if (target.includes('/sgverify/callback')) {
      page = answer.then(async (response) => ({
        status: response.status,
        contentType: response.headers.get('content-type'),
        text: await response.clone().text(),
      }));
    }
    return answer;
  }) as typeof fetch;
  try {
    const response = await realFetch(`${stack.upstreams.sgverifyPhone}/scan`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url, uinfin: visitor.uinfin }),
    });
    assert.equal(response.status, 200, await response.clone().text());
  } finally {
    globalThis.fetch = realFetch;
  }
  if (!page) throw new Error('the phone never called back');
  return page;
};

const result = (state: string) =>
  fetch(`${stack.gatewayUrl}/sgverify/result?${new URLSearchParams({ state })}`, {
    headers: basic(app().apiKey),
  });

describe('SG-Verify callback behind a faulty network', () => {
  for (const { name, fault, path, failure } of pkiOAuthFaultCases(visitor.uuid, /\/person\//)) {
    const sentence = failure && new UpstreamFailed('SG-Verify', failure).message;
    const outcome = sentence
      ? `502 page "${sentence}", nothing stored, the QR still serves`
      : 'still succeeds, one result';
    test(`${name} → ${outcome}`, {
      timeout: FAULT_TEST_TIMEOUT_MS,
    }, async () => {
      const qr = await staticQr();
      const faultedBefore = sgverify.stats().faulted;
      sgverify.setFault(fault, { path });
      let page: CallbackPage;
      try {
        page = await scan(qr.url);
      } finally {
        sgverify.clearFault();
      }
      assert.ok(sgverify.stats().faulted > faultedBefore, 'the fault met the call');
      if (sentence) {
        assert.equal(page.status, 502);
        assert.match(page.contentType ?? '', /^text\/html/);
        assert.ok(page.text.includes(sentence), page.text);
        assert.equal((await result(qr.state)).status, 202, 'nothing waits for the kiosk');
        assert.equal((await scan(qr.url)).status, 200, 'the next visitor is served');
      } else {
        assert.equal(page.status, 200);
      }
      const collected = await result(qr.state);
      assert.equal(collected.status, 200);
      assert.equal(collected.headers.get('content-type'), 'application/jose');
      assert.equal((await result(qr.state)).status, 202, 'exactly one result');
    });
  }
});
