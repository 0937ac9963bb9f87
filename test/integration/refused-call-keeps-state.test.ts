import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { headlessAuthorize } from '@secpass/simulators/singpass-fapi';
import { type DemoApp, type LocalStack, startLocalStack } from '../../local/stack.ts';
import { rotateAppApiKey } from '../../shared/adapters/admin/onboarding.ts';
import { getApp, setAppProviders, setAppStatus } from '../../shared/adapters/dynamodb/app-store.ts';
import { demoApp, expectError } from '../helpers/assertions.ts';
import {
  cpfhubConsent,
  cpfhubToken,
  myinfoConsent,
  myinfoToken,
  PERSONAS,
  postJson,
  singpassLogin,
  tokenQuery,
} from '../helpers/flows.ts';

/**
 * API Gateway caches the authorizer's Allow, so a disabled app or a rotated-out key still reaches
 * the handler, which refuses it (403). That refusal must not use up the state of a login in flight:
 * the rightful call afterwards still completes. Nor must a product switched off while a login was
 * in flight.
 */
let stack: LocalStack;
before(async () => {
  stack = await startLocalStack();
});
after(async () => {
  await stack?.stop();
});

interface Flow {
  name: string;
  /** The app record's settings the flow needs. */
  product: 'myinfo' | 'singpass' | 'cpfhub';
  app: () => DemoApp;
  /** Up to the app's callback: the code and state a token call presents. */
  begin(app: DemoApp): Promise<{ code: string; state: string }>;
  finish(apiKey: string, code: string, state: string): Promise<Response>;
}

const userInfo = (apiKey: string, authCode: string, state: string) =>
  postJson(stack, apiKey, '/oidc/singpass/userInfo', { authCode, state });

const FLOWS: Flow[] = [
  {
    name: 'Myinfo v3',
    product: 'myinfo',
    app: () => demoApp(stack, 0),
    begin: (app) => myinfoConsent(stack, app, PERSONAS.citizen),
    finish: (apiKey, code, state) => myinfoToken(stack, apiKey, tokenQuery(code, state)),
  },
  {
    name: 'Singpass Login (legacy)',
    product: 'singpass',
    app: () => demoApp(stack, 0),
    begin: (app) => singpassLogin(stack, app, PERSONAS.citizen),
    finish: userInfo,
  },
  {
    name: 'Singpass Login (FAPI 2.0)',
    product: 'singpass',
    app: () => demoApp(stack, 2),
    begin: async (app) => {
      const response = await postJson(stack, app.apiKey, '/oidc/singpass/authReqUri', { purpose: 'login' });
      const { authReqUri } = (await response.json()) as { authReqUri: string };
      const callback = await headlessAuthorize(authReqUri, PERSONAS.citizen);
      return {
        code: callback.searchParams.get('code') ?? '',
        state: callback.searchParams.get('state') ?? '',
      };
    },
    finish: userInfo,
  },
  {
    name: 'CPFHub OAuth',
    product: 'cpfhub',
    app: () => demoApp(stack, 1),
    begin: (app) => cpfhubConsent(stack, app, PERSONAS.citizen.nric, 'cpf_contribution:read'),
    finish: (apiKey, code, state) => cpfhubToken(stack, apiKey, code, state),
  },
];

describe('a call refused for its app leaves the state for the rightful call', () => {
  for (const flow of FLOWS) {
    test(`${flow.name}: a disabled app is refused, and once enabled the same code and state go through`, async () => {
      const app = flow.app();
      const { code, state } = await flow.begin(app);
      await setAppStatus(app.appId, 'disabled');
      try {
        await expectError(await flow.finish(app.apiKey, code, state), 403, 'invalid_api_key');
      } finally {
        await setAppStatus(app.appId, 'active');
      }
      assert.equal((await flow.finish(app.apiKey, code, state)).status, 200);
    });

    test(`${flow.name}: the product switched off mid-flow is refused, and once back the same code and state go through`, async () => {
      const app = flow.app();
      const { code, state } = await flow.begin(app);
      const record = await getApp(app.appId);
      assert.ok(record);
      const { [flow.product]: _switchedOff, ...others } = record.providers;
      await setAppProviders(app.appId, others);
      try {
        await expectError(await flow.finish(app.apiKey, code, state), 403, 'provider_not_enabled');
      } finally {
        await setAppProviders(app.appId, record.providers);
      }
      assert.equal((await flow.finish(app.apiKey, code, state)).status, 200);
    });

    test(`${flow.name}: a rotated-out key is refused, and the new key completes the same login`, async () => {
      const app = flow.app();
      const { code, state } = await flow.begin(app);
      const newKey = await rotateAppApiKey(app.appId);
      try {
        await expectError(await flow.finish(app.apiKey, code, state), 403, 'invalid_api_key');
        assert.equal((await flow.finish(newKey, code, state)).status, 200);
      } finally {
        // The other tests go on with the demo app's documented key.
        app.apiKey = newKey;
      }
    });
  }
});
