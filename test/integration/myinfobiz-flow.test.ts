import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { MYINFOBIZ_PERSONAS } from '@secpass/simulators/myinfobiz';
import { openSecpassToken } from '../../local/demo-app/open-token.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { demoApp, expectError } from '../helpers/assertions.ts';
import { consentAndReturn } from '../helpers/browser.ts';
import { basic, myinfoConsent, PERSONAS, secpassOf, tokenQuery } from '../helpers/flows.ts';
import { newStateValue, nowSeconds, saveState } from '../support/table-states.ts';

let stack: LocalStack;
before(async () => {
  // Secrets are re-read on every request here, so a test can swap the trusted certificate.
  process.env.SECRETS_CACHE_SECONDS = '0';
  stack = await startLocalStack();
});
after(async () => {
  await stack?.stop();
});

const app = (n: number) => demoApp(stack, n);

const bizInit = (apiKey: string) =>
  fetch(`${stack.gatewayUrl}/myinfobiz/init`, { headers: basic(apiKey), redirect: 'manual' });
const bizToken = (apiKey: string, query: string) =>
  fetch(`${stack.gatewayUrl}/myinfobiz/token?${query}`, { headers: basic(apiKey) });

const bizConsent = async (n: number, persona: { uen: string; uinfin: string }) => {
  const init = await bizInit(app(n).apiKey);
  assert.equal(init.status, 302);
  return consentAndReturn(init.headers.get('location') ?? '', app(n).callbacks.myinfobiz, {
    nric: persona.uinfin,
    uen: persona.uen,
  });
};

describe('Myinfo Business through Secpass', () => {
  test('init redirects to /biz/v2/authorise with the app record and a fresh state', async () => {
    const init = await bizInit(app(0).apiKey);
    assert.equal(init.status, 302);
    const url = new URL(init.headers.get('location') ?? '');
    assert.equal(`${url.origin}${url.pathname}`, `${stack.upstreams.myinfobiz}/biz/v2/authorise`);
    assert.equal(url.searchParams.get('redirect_uri'), app(0).callbacks.myinfobiz);
    assert.match(url.searchParams.get('attributes') ?? '', /^basic-profile,addresses,appointments,uinfin/);
    assert.match(url.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
  });

  for (const persona of MYINFOBIZ_PERSONAS) {
    test(`${persona.entityName}: { entity, person } sealed for the app, as the simulator signed it`, async () => {
      const { code, state } = await bizConsent(0, persona);
      const response = await bizToken(app(0).apiKey, tokenQuery(code, state));
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('content-type'), 'application/jose');
      const { payload } = await openSecpassToken(await response.text(), app(0), secpassOf(stack));
      const data = JSON.parse(new TextDecoder().decode(payload)) as {
        entity: Record<string, unknown>;
        person: Record<string, { value?: string }>;
      };
      assert.deepEqual(Object.keys(data).sort(), ['entity', 'person']);
      assert.deepEqual(Object.keys(data.entity).sort(), ['addresses', 'appointments', 'basic-profile']);
      assert.equal(data.person.uinfin?.value, persona.uinfin);
      assert.deepEqual(data.entity['basic-profile'], persona.entity['basic-profile']);
    });
  }

  test('replayed, unknown and foreign states → 400; the foreign one stays usable', async () => {
    const [persona] = MYINFOBIZ_PERSONAS;
    assert.ok(persona);
    await expectError(await bizToken(app(0).apiKey, tokenQuery('c', newStateValue())), 400, 'invalid_state');
    const { code, state } = await bizConsent(0, persona);
    await expectError(await bizToken(app(1).apiKey, tokenQuery(code, state)), 400, 'invalid_state');
    assert.equal((await bizToken(app(0).apiKey, tokenQuery(code, state))).status, 200);
    await expectError(await bizToken(app(0).apiKey, tokenQuery(code, state)), 400, 'state_used');
  });

  test('a Myinfo state cannot be spent on Myinfo Business, nor the reverse', async () => {
    const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.citizen);
    await expectError(await bizToken(app(0).apiKey, tokenQuery(code, state)), 400, 'invalid_state');
    const biz = await bizConsent(0, MYINFOBIZ_PERSONAS[0] ?? { uen: '', uinfin: '' });
    const myinfo = await fetch(`${stack.gatewayUrl}/myinfo/token?${tokenQuery(biz.code, biz.state)}`, {
      headers: basic(app(0).apiKey),
    });
    await expectError(myinfo, 400, 'invalid_state');
  });

  test('missing parameters and keys are refused as for Myinfo', async () => {
    await expectError(await bizToken(app(0).apiKey, 'state=abc'), 400, 'missing_parameter');
    await expectError(await bizToken(app(0).apiKey, 'code=a&code=b&state=c'), 400, 'repeated_parameter');
    await expectError(await fetch(`${stack.gatewayUrl}/myinfobiz/init`), 403, 'invalid_api_key');
  });

  test('20 concurrent token calls with one state → exactly one 200', async () => {
    const { code, state } = await bizConsent(1, MYINFOBIZ_PERSONAS[1] ?? { uen: '', uinfin: '' });
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async () => (await bizToken(app(1).apiKey, tokenQuery(code, state))).status),
    );
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
  });

  test('an expired state → 400 state_expired', async () => {
    const state = newStateValue();
    await saveState({
      state,
      appId: app(0).appId,
      provider: 'myinfobiz',
      expiresAt: nowSeconds() - 1,
      redirectUri: app(0).callbacks.myinfobiz,
      attributes: 'uinfin',
    });
    await expectError(await bizToken(app(0).apiKey, tokenQuery('c', state)), 400, 'state_expired');
  });

  test('tokens and data signed by a key other than the trusted certificate are refused', async () => {
    const secretId = stack.secretIds.myinfobiz;
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({});
    const original =
      (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString ?? '';
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const impostor = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const { code, state } = await bizConsent(0, MYINFOBIZ_PERSONAS[0] ?? { uen: '', uinfin: '' });
    stack.putSecret(secretId, JSON.stringify({ ...JSON.parse(original), upstreamCertificates: [impostor] }));
    try {
      await expectError(await bizToken(app(0).apiKey, tokenQuery(code, state)), 404, 'upstream_bad_token');
    } finally {
      stack.putSecret(secretId, original);
      client.destroy();
    }
  });

  test('Myinfo Business unreachable → 404 upstream_unreachable', async () => {
    const { resetConfig } = await import('../../shared/adapters/env.ts');
    const original = process.env.MYINFOBIZ_BASE_URL ?? '';
    const { code, state } = await bizConsent(0, MYINFOBIZ_PERSONAS[0] ?? { uen: '', uinfin: '' });
    process.env.MYINFOBIZ_BASE_URL = 'http://127.0.0.1:9/biz/v2';
    resetConfig();
    try {
      await expectError(await bizToken(app(0).apiKey, tokenQuery(code, state)), 404, 'upstream_unreachable');
    } finally {
      process.env.MYINFOBIZ_BASE_URL = original;
      resetConfig();
    }
  });
});
