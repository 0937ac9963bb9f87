import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { setAppStatus } from '../../shared/adapters/dynamodb/app-store.ts';
import { resetConfig } from '../../shared/adapters/env.ts';
import { demoApp, expectError } from '../helpers/assertions.ts';
import { type FakeSingpass, type IdTokenFlaw, startFakeSingpass } from '../helpers/fake-singpass.ts';
import { basic, PERSONAS, postJson, singpassLogin } from '../helpers/flows.ts';
import { newStateValue, nowSeconds, saveState } from '../support/table-states.ts';

let stack: LocalStack;
let fake: FakeSingpass;
let mockpassDiscovery: string;
before(async () => {
  stack = await startLocalStack();
  mockpassDiscovery = process.env.SINGPASS_DISCOVERY_URL ?? '';
  fake = await startFakeSingpass(`${stack.gatewayUrl}/singpass/jwks`);
});
after(async () => {
  await fake?.stop();
  await stack?.stop();
});

const app = (n: number) => demoApp(stack, n);

const useDiscovery = (url: string) => {
  process.env.SINGPASS_DISCOVERY_URL = url;
  resetConfig();
};

const userInfo = (apiKey: string, body: unknown) => postJson(stack, apiKey, '/oidc/singpass/userInfo', body);

describe('Singpass Login: bad input', () => {
  test('wrong or missing API key → 403 on both routes', async () => {
    for (const path of ['/oidc/singpass/authReqUri', '/oidc/singpass/userInfo']) {
      await expectError(
        await fetch(`${stack.gatewayUrl}${path}`, { method: 'POST' }),
        403,
        'invalid_api_key',
      );
      await expectError(await postJson(stack, `spk_${'B'.repeat(43)}`, path, {}), 403, 'invalid_api_key');
    }
  });

  test('malformed bodies → 400 invalid_body', async () => {
    const key = app(0).apiKey;
    for (const body of ['not json', '', '[]', '{}', '{"purpose":"signup"}', '{"purpose":1}']) {
      await expectError(await postJson(stack, key, '/oidc/singpass/authReqUri', body), 400, 'invalid_body');
    }
    for (const body of ['nope', '{}', '{"authCode":"a"}', '{"state":"b"}', '{"authCode":1,"state":"b"}']) {
      await expectError(await userInfo(key, body), 400, 'invalid_body');
    }
    await expectError(await userInfo(key, { authCode: 'a', state: 'has spaces<>' }), 400, 'invalid_body');
  });

  test('unknown, replayed, expired and foreign states → 400, the foreign one still usable by its owner', async () => {
    await expectError(
      await userInfo(app(0).apiKey, { authCode: 'c', state: newStateValue() }),
      400,
      'invalid_state',
    );

    const { code, state } = await singpassLogin(stack, app(0), PERSONAS.citizen);
    await expectError(await userInfo(app(1).apiKey, { authCode: code, state }), 400, 'invalid_state');
    assert.equal((await userInfo(app(0).apiKey, { authCode: code, state })).status, 200);
    await expectError(await userInfo(app(0).apiKey, { authCode: code, state }), 400, 'state_used');

    const expired = newStateValue();
    await saveState({
      state: expired,
      appId: app(0).appId,
      provider: 'singpass',
      expiresAt: nowSeconds() - 1,
      redirectUri: app(0).callbacks.singpass,
      nonce: 'n',
    });
    await expectError(await userInfo(app(0).apiKey, { authCode: 'c', state: expired }), 400, 'state_expired');
  });

  test('a Myinfo state cannot be spent on Singpass Login', async () => {
    const init = await fetch(`${stack.gatewayUrl}/myinfo/init`, {
      headers: basic(app(0).apiKey),
      redirect: 'manual',
    });
    assert.equal(init.status, 302, await init.clone().text());
    const state = new URL(init.headers.get('location') ?? '').searchParams.get('state') ?? '';
    await expectError(await userInfo(app(0).apiKey, { authCode: 'c', state }), 400, 'invalid_state');
  });

  test('a disabled app → 403', async () => {
    await setAppStatus(app(1).appId, 'disabled');
    try {
      await expectError(
        await postJson(stack, app(1).apiKey, '/oidc/singpass/authReqUri', { purpose: 'login' }),
        403,
        'invalid_api_key',
      );
    } finally {
      await setAppStatus(app(1).appId, 'active');
    }
  });

  test('20 concurrent userInfo calls with one state → exactly one 200', async () => {
    const { code, state } = await singpassLogin(stack, app(0), PERSONAS.foreignerF);
    const statuses = await Promise.all(
      Array.from(
        { length: 10 },
        async () => (await userInfo(app(0).apiKey, { authCode: code, state })).status,
      ),
    );
    assert.equal(statuses.filter((s) => s === 200).length, 1, statuses.join(','));
  });
});

describe('Singpass Login: ID tokens that must be refused', () => {
  const loginWith = async (flaw: IdTokenFlaw) => {
    useDiscovery(fake.discoveryUrl);
    try {
      fake.flaw = 'none';
      const { code, state } = await singpassLogin(stack, app(0), PERSONAS.citizen);
      fake.flaw = flaw;
      return await userInfo(app(0).apiKey, { authCode: code, state });
    } finally {
      fake.flaw = 'none';
      useDiscovery(mockpassDiscovery);
    }
  };

  test('a well-formed ID token from the same provider is accepted (the fake itself is sound)', async () => {
    assert.equal((await loginWith('none')).status, 200);
  });

  test('after Singpass rotates its signing key, the cached JWKS is refetched once and login succeeds', async () => {
    assert.equal((await loginWith('none')).status, 200);
    await fake.rotateSigningKey();
    assert.equal((await loginWith('none')).status, 200);
  });

  const refusals: [IdTokenFlaw, string][] = [
    ['expired', 'upstream_bad_token'],
    ['wrong-nonce', 'upstream_bad_token'],
    ['wrong-aud', 'upstream_bad_token'],
    ['wrong-iss', 'upstream_bad_token'],
    ['bad-signature', 'upstream_bad_token'],
    ['unencrypted', 'upstream_bad_encryption'],
    ['token-500', 'upstream_error_status'],
  ];
  for (const [flaw, code] of refusals) {
    test(`${flaw} → 500 ${code}`, async () => {
      await expectError(await loginWith(flaw), 500, code);
    });
  }

  test('Singpass unreachable → 500 upstream_unreachable', async () => {
    useDiscovery('http://127.0.0.1:9/singpass/v2/.well-known/openid-configuration');
    try {
      await expectError(
        await postJson(stack, app(0).apiKey, '/oidc/singpass/authReqUri', { purpose: 'login' }),
        500,
        'upstream_unreachable',
      );
    } finally {
      useDiscovery(mockpassDiscovery);
    }
  });
});
