import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newAppKeyPair } from '../../local/dev-keys.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { onboardApp } from '../../shared/adapters/admin/onboarding.ts';
import { setAppStatus } from '../../shared/adapters/dynamodb/app-store.ts';
import { resetConfig } from '../../shared/adapters/env.ts';
import { demoApp, expectError } from '../helpers/assertions.ts';
import { basic, myinfoConsent, myinfoToken, PERSONAS, tokenQuery, useMyinfoBase } from '../helpers/flows.ts';
import { type MyinfoProxy, type ProxyMode, startMyinfoProxy } from '../helpers/myinfo-proxy.ts';
import { newStateValue, nowSeconds, saveState } from '../support/table-states.ts';

let stack: LocalStack;
let proxy: MyinfoProxy;
let mockpassBase: string;
before(async () => {
  stack = await startLocalStack();
  mockpassBase = process.env.MYINFO_BASE_URL ?? '';
  proxy = await startMyinfoProxy(stack.upstreams.mockpass);
});
after(async () => {
  await proxy?.stop();
  await stack?.stop();
});

const app = (n: number) => demoApp(stack, n);

describe('API key', () => {
  const routes = ['/myinfo/init', '/myinfo/token?code=a&state=b'];
  for (const route of routes) {
    test(`${route}: missing, malformed, unknown or disabled key → 403`, async () => {
      const url = `${stack.gatewayUrl}${route}`;
      await expectError(await fetch(url, { redirect: 'manual' }), 403, 'invalid_api_key');
      await expectError(
        await fetch(url, { headers: { Authorization: 'Basic' }, redirect: 'manual' }),
        403,
        'invalid_api_key',
      );
      await expectError(
        await fetch(url, { headers: { Authorization: `Bearer ${app(0).apiKey}` }, redirect: 'manual' }),
        403,
        'invalid_api_key',
      );
      const unknown = `spk_${'A'.repeat(43)}`;
      await expectError(
        await fetch(url, { headers: basic(unknown), redirect: 'manual' }),
        403,
        'invalid_api_key',
      );
    });
  }

  test('a disabled app is refused at once, although API Gateway cached its earlier Allow', async () => {
    const init = () =>
      fetch(`${stack.gatewayUrl}/myinfo/init`, { headers: basic(app(1).apiKey), redirect: 'manual' });
    assert.equal((await init()).status, 302);
    await setAppStatus(app(1).appId, 'disabled');
    try {
      await expectError(await init(), 403, 'invalid_api_key');
    } finally {
      await setAppStatus(app(1).appId, 'active');
    }
    assert.equal((await init()).status, 302);
  });

  test('a Deny is cached like API Gateway does, until the cache is flushed', async () => {
    await setAppStatus(app(1).appId, 'disabled');
    stack.flushAuthorizerCache();
    const init = () =>
      fetch(`${stack.gatewayUrl}/myinfo/init`, { headers: basic(app(1).apiKey), redirect: 'manual' });
    try {
      await expectError(await init(), 403, 'invalid_api_key');
    } finally {
      await setAppStatus(app(1).appId, 'active');
    }
    await expectError(await init(), 403, 'invalid_api_key');
    stack.flushAuthorizerCache();
    assert.equal((await init()).status, 302);
  });

  test('an app without Myinfo enabled → 403 provider_not_enabled', async () => {
    const { publicJwk } = await newAppKeyPair();
    const { apiKey } = await onboardApp({ name: 'Login only', publicJwk, providers: {} });
    await expectError(
      await fetch(`${stack.gatewayUrl}/myinfo/init`, { headers: basic(apiKey), redirect: 'manual' }),
      403,
      'provider_not_enabled',
    );
  });

  test('an unknown route answers 404 JSON', async () => {
    await expectError(
      await fetch(`${stack.gatewayUrl}/myinfo/nope`, { headers: basic(app(0).apiKey) }),
      404,
      'not_found',
    );
    await expectError(
      await fetch(`${stack.gatewayUrl}/myinfo/init`, { method: 'POST', headers: basic(app(0).apiKey) }),
      404,
      'not_found',
    );
  });
});

describe('code and state', () => {
  test('missing, empty, repeated or malformed parameters → 400', async () => {
    const key = app(0).apiKey;
    await expectError(await myinfoToken(stack, key, 'state=abc'), 400, 'missing_parameter');
    await expectError(await myinfoToken(stack, key, 'code=abc'), 400, 'missing_parameter');
    await expectError(await myinfoToken(stack, key, 'code=&state=abc'), 400, 'missing_parameter');
    await expectError(await myinfoToken(stack, key, ''), 400, 'missing_parameter');
    await expectError(await myinfoToken(stack, key, 'code=a&code=b&state=abc'), 400, 'repeated_parameter');
    await expectError(await myinfoToken(stack, key, 'code=a&state=abc&state=abc'), 400, 'repeated_parameter');
    await expectError(
      await myinfoToken(stack, key, tokenQuery('a', 'bad state<script>')),
      400,
      'invalid_parameter',
    );
    await expectError(
      await myinfoToken(stack, key, tokenQuery('x'.repeat(600), 'abc')),
      400,
      'invalid_parameter',
    );
  });

  test('an unknown state → 400', async () => {
    await expectError(
      await myinfoToken(stack, app(0).apiKey, tokenQuery('code', newStateValue())),
      400,
      'invalid_state',
    );
  });

  test('a replayed state → 400, after the first use succeeded', async () => {
    const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.citizen);
    assert.equal((await myinfoToken(stack, app(0).apiKey, tokenQuery(code, state))).status, 200);
    await expectError(await myinfoToken(stack, app(0).apiKey, tokenQuery(code, state)), 400, 'state_used');
  });

  test('an expired state → 400, even though TTL has not deleted it yet', async () => {
    const state = newStateValue();
    await saveState({
      state,
      appId: app(0).appId,
      provider: 'myinfo',
      expiresAt: nowSeconds() - 1,
      redirectUri: app(0).callbacks.myinfo,
      attributes: 'name',
    });
    await expectError(
      await myinfoToken(stack, app(0).apiKey, tokenQuery('code', state)),
      400,
      'state_expired',
    );
  });

  test("another app's state → 400 and it stays usable by its own app", async () => {
    const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.citizen);
    await expectError(await myinfoToken(stack, app(1).apiKey, tokenQuery(code, state)), 400, 'invalid_state');
    assert.equal((await myinfoToken(stack, app(0).apiKey, tokenQuery(code, state))).status, 200);
  });

  test('20 concurrent token calls with one state → exactly one 200', async () => {
    const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.permanentResident);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => myinfoToken(stack, app(0).apiKey, tokenQuery(code, state))),
    );
    const statuses = responses.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 400).length, 19);
    for (const response of responses.filter((r) => r.status === 400)) {
      assert.equal(((await response.json()) as { error: string }).error, 'state_used');
    }
  });
});

describe('misbehaving Myinfo → 404 with the failure named', () => {
  const cases: [ProxyMode, string][] = [
    ['token-500', 'upstream_error_status'],
    ['token-garbage', 'upstream_bad_response'],
    ['token-forged', 'upstream_bad_token'],
    ['person-503', 'upstream_error_status'],
    ['person-garbage', 'upstream_bad_encryption'],
    ['person-unencrypted', 'upstream_bad_encryption'],
    ['person-wrong-recipient', 'upstream_bad_encryption'],
    ['person-forged-signature', 'upstream_bad_signature'],
  ];
  for (const [mode, code] of cases) {
    test(`${mode} → ${code}`, async () => {
      useMyinfoBase(proxy.myinfoBaseUrl);
      try {
        proxy.mode = 'pass';
        const { code: authCode, state } = await myinfoConsent(stack, app(0), PERSONAS.citizen);
        proxy.mode = mode;
        const body = await expectError(
          await myinfoToken(stack, app(0).apiKey, tokenQuery(authCode, state)),
          404,
          code,
        );
        assert.match(String(body.message), /^Myinfo /);
      } finally {
        proxy.mode = 'pass';
        useMyinfoBase(mockpassBase);
      }
    });
  }

  test('a Myinfo that never answers → upstream_timeout within the configured timeout', async () => {
    useMyinfoBase(proxy.myinfoBaseUrl);
    process.env.UPSTREAM_TIMEOUT_MS = '500';
    resetConfig();
    try {
      const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.citizen);
      proxy.mode = 'hang';
      await expectError(
        await myinfoToken(stack, app(0).apiKey, tokenQuery(code, state)),
        404,
        'upstream_timeout',
      );
    } finally {
      proxy.mode = 'pass';
      delete process.env.UPSTREAM_TIMEOUT_MS;
      useMyinfoBase(mockpassBase);
    }
  });

  test('MockPass stopped → upstream_unreachable (runs last: MockPass stays down)', async () => {
    const { code, state } = await myinfoConsent(stack, app(0), PERSONAS.citizen);
    await stack.stopMockPass();
    await expectError(
      await myinfoToken(stack, app(0).apiKey, tokenQuery(code, state)),
      404,
      'upstream_unreachable',
    );
  });
});
