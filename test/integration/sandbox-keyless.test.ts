import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, describe, test } from 'node:test';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { openSecpassToken } from '../../local/demo-app/open-token.ts';
import {
  type AuthorizerHandler,
  lambdaContext,
  loadHandler,
  type ProxyHandler,
} from '../../local/lambda-runtime.ts';
import { type DemoApp, type LocalStack, startLocalStack } from '../../local/stack.ts';
import { setAppStatus } from '../../shared/adapters/dynamodb/app-store.ts';
import { generateApiKey } from '../../shared/apps/api-key.ts';
import { expectError } from '../helpers/assertions.ts';
import { consentAndReturn } from '../helpers/browser.ts';
import { PERSONAS, secpassOf } from '../helpers/flows.ts';

/**
 * The API contract: "If a sandbox instance is provided, there will be no API key required."
 * `npm start -- --sandbox` (the local twin of `-c env=sandbox -c sandboxAppId=…`) serves calls
 * without an Authorization header as demo app 1; any call that presents a key is judged by it.
 */
let stack: LocalStack;
before(async () => {
  stack = await startLocalStack({ sandbox: true });
});
after(async () => {
  await stack?.stop();
});

const app = (n: number): DemoApp => {
  const found = stack.apps[n];
  assert.ok(found, `demo app ${n + 1}`);
  return found;
};

const METHOD_ARN = 'arn:aws:execute-api:ap-southeast-1:000000000000:local/local/GET/myinfo/init';

const initWith = (headers: Record<string, string>) =>
  fetch(`${stack.gatewayUrl}/myinfo/init`, { headers, redirect: 'manual' });

const redirectUriOf = (response: Response): string | null =>
  new URL(response.headers.get('location') ?? 'http://invalid').searchParams.get('redirect_uri');

describe('a sandbox serves calls without an API key as its sandbox app', () => {
  test('the local stack names demo app 1 as the sandbox app', () => {
    assert.equal(stack.sandboxAppId, app(0).appId);
    assert.equal(stack.handlerEnvironment.SECPASS_ENVIRONMENT, 'sandbox');
    assert.equal(stack.handlerEnvironment.SECPASS_SANDBOX_APP_ID, app(0).appId);
  });

  test('a keyless Myinfo consent and token exchange: the token is sealed for the sandbox app and opens with its key', async () => {
    const init = await initWith({});
    assert.equal(init.status, 302);
    assert.equal(redirectUriOf(init), app(0).callbacks.myinfo);
    const { code, state } = await consentAndReturn(
      init.headers.get('location') ?? '',
      app(0).callbacks.myinfo,
      PERSONAS.citizen,
    );
    const answer = await fetch(`${stack.gatewayUrl}/myinfo/token?${new URLSearchParams({ code, state })}`);
    assert.equal(answer.status, 200);
    const token = await answer.text();
    const { payload } = await openSecpassToken(token, app(0), secpassOf(stack));
    const person = JSON.parse(new TextDecoder().decode(payload)) as { uinfin: { value: string } };
    assert.equal(person.uinfin.value, PERSONAS.citizen.nric);
    await assert.rejects(openSecpassToken(token, app(1), secpassOf(stack)));
  });

  test('a state a keyless call started is the sandbox app’s: its API key finishes the flow too', async () => {
    const init = await initWith({});
    const { code, state } = await consentAndReturn(
      init.headers.get('location') ?? '',
      app(0).callbacks.myinfo,
      PERSONAS.permanentResident,
    );
    const answer = await fetch(`${stack.gatewayUrl}/myinfo/token?${new URLSearchParams({ code, state })}`, {
      headers: { Authorization: `Basic ${app(0).apiKey}` },
    });
    assert.equal(answer.status, 200);
    await openSecpassToken(await answer.text(), app(0), secpassOf(stack));
  });
});

describe('in a sandbox, a call that presents a key is judged by its key', () => {
  test('another app’s key is that app', async () => {
    const init = await initWith({ Authorization: `Basic ${app(1).apiKey}` });
    assert.equal(init.status, 302);
    assert.equal(redirectUriOf(init), app(1).callbacks.myinfo);
  });

  test('a wrong, malformed or empty key, or one under another spelling of the header, is still 403', async () => {
    for (const headers of [
      { Authorization: `Basic ${generateApiKey()}` },
      { Authorization: 'Basic not-a-key' },
      { Authorization: `Bearer ${app(0).apiKey}` },
      { Authorization: '' },
    ]) {
      await expectError(await initWith(headers), 403, 'invalid_api_key');
    }
  });

  test('the authorizer takes the header however it is spelt: only no such header at all is keyless', async () => {
    const authorizer = await loadHandler<AuthorizerHandler>('authorizer');
    const decide = async (headers: Record<string, string>) =>
      (
        await authorizer(
          { type: 'REQUEST', methodArn: METHOD_ARN, headers } as unknown as APIGatewayRequestAuthorizerEvent,
          lambdaContext('authorizer'),
        )
      ).policyDocument.Statement[0]?.Effect;
    assert.equal(await decide({}), 'Allow');
    assert.equal(await decide({ AUTHORIZATION: `Basic ${generateApiKey()}` }), 'Deny');
    assert.equal(await decide({ AUTHORIZATION: `Basic ${app(1).apiKey}` }), 'Allow');
    assert.equal(
      await decide({ Authorization: `Basic ${app(1).apiKey}`, authorization: `Basic ${app(0).apiKey}` }),
      'Deny',
      'two spellings, two keys: neither is taken',
    );
  });

  test('a disabled sandbox app serves no keyless call', async () => {
    await setAppStatus(app(0).appId, 'disabled');
    try {
      await expectError(await initWith({}), 403, 'invalid_api_key');
    } finally {
      await setAppStatus(app(0).appId, 'active');
    }
  });
});

/** What API Gateway hands authorise-init for a keyless `GET /myinfo/init`, the authorizer having named `appId`. */
const keylessInitEvent = (appId: string): APIGatewayProxyEvent => {
  const event = JSON.parse(
    readFileSync(new URL('../../events/myinfo-init.json', import.meta.url), 'utf8'),
  ) as APIGatewayProxyEvent;
  const { Authorization: _single, ...headers } = event.headers;
  const { Authorization: _multi, ...multiValueHeaders } = event.multiValueHeaders;
  return {
    ...event,
    headers,
    multiValueHeaders,
    requestContext: { ...event.requestContext, authorizer: { appId } },
  };
};

describe('outside a sandbox, no call goes without a key', () => {
  // What the sandbox stack set, put back after each test changes it.
  afterEach(() => {
    Object.assign(process.env, {
      SECPASS_ENVIRONMENT: stack.handlerEnvironment.SECPASS_ENVIRONMENT,
      SECPASS_SANDBOX_APP_ID: stack.handlerEnvironment.SECPASS_SANDBOX_APP_ID,
    });
    stack.flushAuthorizerCache();
  });

  test('with the environment not saying sandbox, the sandbox app id alone opens nothing', async () => {
    process.env.SECPASS_ENVIRONMENT = 'test';
    await expectError(await initWith({}), 403, 'invalid_api_key');
    assert.equal((await initWith({ Authorization: `Basic ${app(0).apiKey}` })).status, 302);
  });

  test('without a sandbox app id, keyless calls are refused', async () => {
    delete process.env.SECPASS_SANDBOX_APP_ID;
    await expectError(await initWith({}), 403, 'invalid_api_key');
  });

  test('the handler checks for itself: a keyless call counts only as the configured sandbox app, only in a sandbox', async () => {
    const handler = await loadHandler<ProxyHandler>('authorise-init');
    const init = (appId: string) => handler(keylessInitEvent(appId), lambdaContext('authorise-init'));
    assert.equal((await init(app(0).appId)).statusCode, 302);
    const asAnotherApp = await init(app(1).appId);
    assert.equal(asAnotherApp.statusCode, 403);
    assert.equal(JSON.parse(asAnotherApp.body).error, 'invalid_api_key');
    process.env.SECPASS_ENVIRONMENT = 'prod';
    assert.equal((await init(app(0).appId)).statusCode, 403);
  });
});
