import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { FaultProxy } from '@secpass/simulators/fault-proxy';
import { openSecpassToken } from '../../local/demo-app/open-token.ts';
import { newAppKeyPair } from '../../local/dev-keys.ts';
import { type DemoApp, type LocalStack, startLocalStack } from '../../local/stack.ts';
import { onboardApp } from '../../shared/adapters/admin/onboarding.ts';
import { configuredClientId } from '../../shared/adapters/broker-config.ts';
import { stateKey } from '../../shared/adapters/dynamodb/state-store.ts';
import { documentClient, tableName } from '../../shared/adapters/dynamodb/table.ts';
import { setting } from '../../shared/adapters/env.ts';
import { secretsManagerSource } from '../../shared/adapters/secrets-manager.ts';
import { cpfhubCredentialsFrom } from '../../shared/secrets/cpfhub-credentials.ts';
import { demoApp, expectError } from '../helpers/assertions.ts';
import { faultProxyFor, pointUpstream } from '../helpers/fault-upstreams.ts';
import {
  basic,
  cpfhubConsent,
  cpfhubGet,
  cpfhubToken,
  secpassOf,
  useCpfhubApiBase,
} from '../helpers/flows.ts';
import { type RecordingProxy, startRecordingProxy } from '../helpers/recording-proxy.ts';

/** CPFHub's access tokens live 4 s here; Secpass treats them as spent a second early. */
const ACCESS_TOKEN_SECONDS = 4;
const UNTIL_EXPIRED_MS = 3_200;
const USER = 'S9812381D';
const SCOPE = 'cpf_contribution:read cpf_statement:read';
const MONTH = '/cpfhub/user/contributions?year=2025&month=4';

let stack: LocalStack;
let recorder: RecordingProxy;
before(async () => {
  stack = await startLocalStack({ cpfhubAccessTokenSeconds: ACCESS_TOKEN_SECONDS });
  const apiBase = new URL(process.env.CPFHUB_API_BASE_URL ?? '');
  recorder = await startRecordingProxy(apiBase.origin);
  useCpfhubApiBase(`${recorder.url}${apiBase.pathname}`);
});
after(async () => {
  await recorder?.stop();
  await stack?.stop();
});

const app = (n: number) => demoApp(stack, n);

/** Consent, exchange, open the sealed token: what the app keeps is the grant id (and the test, the code). */
const newGrant = async (owner: DemoApp, scope = SCOPE) => {
  const { code, state } = await cpfhubConsent(stack, owner, USER, scope);
  const response = await cpfhubToken(stack, owner.apiKey, code, state);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/jose');
  const { payload } = await openSecpassToken(await response.text(), owner, secpassOf(stack));
  const claims = JSON.parse(new TextDecoder().decode(payload)) as {
    grant_id: string;
    scope: string;
    aud: string;
  };
  return { ...claims, code };
};

/**
 * CPFHub ends a grant on its own, with no part played by Secpass: here the authorisation code
 * comes back, which revokes every token issued from it (RFC 6749 §4.1.2), as a withdrawal would.
 */
const endGrantAtCpfhub = async (code: string) => {
  const { clientId, clientSecret } = await cpfhubCredentialsFrom(
    secretsManagerSource(),
    () => setting('CPFHUB_SECRET_ID'),
    () => configuredClientId('CPFHUB_CLIENT_ID'),
  )();
  const response = await fetch(`${stack.upstreams.cpfhub}/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: app(0).callbacks.cpfhub,
      code_verifier: 'x'.repeat(43),
    }),
  });
  assert.equal(response.status, 400);
  assert.equal(((await response.json()) as { error: string }).error, 'invalid_grant');
};

const userCall = (owner: DemoApp, grantId: string, path = MONTH) =>
  cpfhubGet(stack, owner.apiKey, path, { 'X-Secpass-Grant': grantId });

const revoke = (owner: DemoApp, grantId: string) =>
  fetch(`${stack.gatewayUrl}/cpfhub/oauth/grant`, {
    method: 'DELETE',
    headers: { ...basic(owner.apiKey), 'X-Secpass-Grant': grantId },
  });

describe('OAuth init', () => {
  test('302 to CPFHub’s authorize endpoint with the app’s callback, the scope, a state and an S256 challenge', async () => {
    const { authorizeUrl } = await cpfhubConsent(stack, app(0), USER, SCOPE);
    const params = authorizeUrl.searchParams;
    assert.equal(
      `${authorizeUrl.origin}${authorizeUrl.pathname}`,
      `${stack.upstreams.cpfhub}/oauth/authorize`,
    );
    assert.equal(params.get('response_type'), 'code');
    assert.equal(params.get('redirect_uri'), app(0).callbacks.cpfhub);
    assert.equal(params.get('scope'), SCOPE);
    assert.equal(params.get('code_challenge_method'), 'S256');
    assert.match(params.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(params.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok(params.get('client_id'));
  });

  test('a scope beyond the app’s allowance → 403; a malformed or missing one → 400', async () => {
    const { publicJwk } = await newAppKeyPair();
    const narrow = await onboardApp({
      name: 'Statements only',
      publicJwk,
      providers: { cpfhub: { scopes: ['cpf_statement:read'], callbackUrl: 'https://narrow.example/cb' } },
    });
    const init = (apiKey: string, query: string) =>
      fetch(`${stack.gatewayUrl}/cpfhub/oauth/init?${query}`, { headers: basic(apiKey), redirect: 'manual' });
    await expectError(await init(narrow.apiKey, 'scope=cpf_contribution%3Aread'), 403, 'scope_not_allowed');
    await expectError(
      await init(narrow.apiKey, 'scope=cpf_statement%3Aread+cpf_statement%3Aread'),
      403,
      'scope_not_allowed',
    );
    await expectError(await init(narrow.apiKey, 'scope=%3Cscript%3E'), 400, 'invalid_parameter');
    await expectError(await init(narrow.apiKey, ''), 400, 'missing_parameter');
    await expectError(
      await init(narrow.apiKey, 'scope=cpf_statement%3Aread&scope=cpf_statement%3Aread'),
      400,
      'repeated_parameter',
    );
    assert.equal((await init(narrow.apiKey, 'scope=cpf_statement%3Aread')).status, 302);
    const serverOnly = await onboardApp({
      name: 'Payroll only',
      publicJwk,
      providers: { cpfhub: { scopes: ['cpf_statement:read'] } },
    });
    await expectError(
      await init(serverOnly.apiKey, 'scope=cpf_statement%3Aread'),
      403,
      'provider_not_enabled',
    );
  });
});

describe('a user’s grant, end to end', () => {
  test('consent → token → user call → expiry → transparent refresh → revoke → refused', async () => {
    const grant = await newGrant(app(0));
    assert.equal(grant.aud, app(0).appId);
    assert.equal(grant.scope, SCOPE);
    assert.match(grant.grant_id, /^[A-Za-z0-9_-]{43}$/);

    const first = await userCall(app(0), grant.grant_id);
    assert.equal(first.status, 200);
    const mine = (await first.json()) as { contributions: { nric: string }[] };
    assert.deepEqual(
      mine.contributions.map((c) => c.nric),
      [USER],
      'the user’s own records only',
    );
    const before = stack.cpfhub.stats().refreshGrants;

    await sleep(UNTIL_EXPIRED_MS);
    const afterExpiry = await userCall(app(0), grant.grant_id, '/cpfhub/user/statements?year=2024');
    assert.equal(afterExpiry.status, 200);
    assert.equal(stack.cpfhub.stats().refreshGrants, before + 1);
    const [older, newer] = recorder.calls.slice(-2).map((call) => call.headers.authorization);
    assert.notEqual(older, newer, 'the refreshed access token was used');

    const revoked = await revoke(app(0), grant.grant_id);
    assert.equal(revoked.status, 200);
    assert.deepEqual(await revoked.json(), { status: 'revoked' });
    await expectError(await userCall(app(0), grant.grant_id), 403, 'unknown_grant');
    await expectError(await revoke(app(0), grant.grant_id), 403, 'unknown_grant');
  });

  test('10 concurrent calls on an expired token trigger exactly one refresh, and all succeed', async () => {
    const grant = await newGrant(app(1));
    await sleep(UNTIL_EXPIRED_MS);
    const before = stack.cpfhub.stats().refreshGrants;
    const answers = await Promise.all(Array.from({ length: 10 }, () => userCall(app(1), grant.grant_id)));
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(10).fill(200),
    );
    assert.equal(stack.cpfhub.stats().refreshGrants, before + 1);
  });

  test('tokens are sealed at rest: the table holds neither the grant id nor any CPFHub token', async () => {
    const grant = await newGrant(app(0));
    recorder.calls.length = 0;
    assert.equal((await userCall(app(0), grant.grant_id)).status, 200);
    const accessToken = String(recorder.calls[0]?.headers.authorization).replace(/^Bearer /, '');
    assert.ok(accessToken.length > 10);
    const { Items = [] } = await documentClient().send(new ScanCommand({ TableName: tableName() }));
    const grants = Items.filter((item) => String(item.pk).startsWith('GRANT#'));
    const hash = createHash('sha256').update(grant.grant_id).digest('hex');
    assert.ok(grants.some((item) => item.pk === `GRANT#${hash}`));
    const everything = JSON.stringify(Items);
    assert.ok(!everything.includes(accessToken), 'no access token in the clear');
    assert.ok(!everything.includes(grant.grant_id), 'no grant id in the clear');
  });
});

describe('refused', () => {
  test('another app’s grant: its calls and its revocation are refused and the grant lives on', async () => {
    const grant = await newGrant(app(0));
    await expectError(await userCall(app(1), grant.grant_id), 403, 'unknown_grant');
    await expectError(await revoke(app(1), grant.grant_id), 403, 'unknown_grant');
    assert.equal((await userCall(app(0), grant.grant_id)).status, 200);
  });

  test('a code obtained with another PKCE challenge is refused by CPFHub and stores nothing', async () => {
    const { authorizeUrl, state } = await cpfhubConsent(stack, app(0), USER, SCOPE);
    // An attacker's own authorisation for the same client and callback, with their own challenge.
    const forged = new URL(authorizeUrl);
    forged.searchParams.set('code_challenge', 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
    forged.searchParams.set('state', 'attacker');
    const consent = await fetch(forged, { headers: { 'X-Custom-User': USER }, redirect: 'manual' });
    const attackerCode = new URL(consent.headers.get('location') ?? '').searchParams.get('code') ?? '';
    assert.ok(attackerCode);
    await expectError(await cpfhubToken(stack, app(0).apiKey, attackerCode, state), 400, 'invalid_code');
    await expectError(await cpfhubToken(stack, app(0).apiKey, attackerCode, state), 400, 'state_used');
  });

  test('replayed, unknown and foreign states; a replayed code', async () => {
    const { code, state } = await cpfhubConsent(stack, app(0), USER, SCOPE);
    await expectError(await cpfhubToken(stack, app(1).apiKey, code, state), 400, 'invalid_state');
    assert.equal((await cpfhubToken(stack, app(0).apiKey, code, state)).status, 200);
    await expectError(await cpfhubToken(stack, app(0).apiKey, code, state), 400, 'state_used');
    await expectError(await cpfhubToken(stack, app(0).apiKey, code, 'x'.repeat(43)), 400, 'invalid_state');
    const second = await cpfhubConsent(stack, app(0), USER, SCOPE);
    await expectError(await cpfhubToken(stack, app(0).apiKey, code, second.state), 400, 'invalid_code');
  });

  test('a scope the user did not grant → 403; missing or malformed grant header → 400', async () => {
    const grant = await newGrant(app(0), 'cpf_statement:read');
    await expectError(await userCall(app(0), grant.grant_id), 403, 'scope_not_granted');
    assert.equal((await userCall(app(0), grant.grant_id, '/cpfhub/user/statements?year=2024')).status, 200);
    await expectError(await cpfhubGet(stack, app(0).apiKey, MONTH), 400, 'missing_header');
    await expectError(await userCall(app(0), 'not a grant!'), 400, 'invalid_header');
    await expectError(await userCall(app(0), 'A'.repeat(43)), 403, 'unknown_grant');
    await expectError(
      await userCall(app(0), grant.grant_id, '/cpfhub/user/employees'),
      404,
      'route_not_allowed',
    );
  });
});

describe('a grant CPFHub no longer accepts', () => {
  /** In front of CPFHub's OAuth endpoints for these tests: passes everything unless a test sets a fault. */
  let oauthProxy: FaultProxy;
  let directOauthBase: string;
  before(async () => {
    directOauthBase = process.env.CPFHUB_OAUTH_BASE_URL ?? '';
    oauthProxy = await faultProxyFor('CPFHUB_OAUTH_BASE_URL');
  });
  after(async () => {
    pointUpstream('CPFHUB_OAUTH_BASE_URL', directOauthBase);
    await oauthProxy?.stop();
  });

  test('a refresh CPFHub acted on whose answer was dropped → 502 now, then 403 grant_lost (nobody withdrew consent), and the grant is gone', async () => {
    const grant = await newGrant(app(0));
    await sleep(UNTIL_EXPIRED_MS);
    const before = stack.cpfhub.stats().refreshGrants;
    oauthProxy.setFault({ kind: 'drop-answer' }, { path: /\/token$/, times: 1 });
    await expectError(await userCall(app(0), grant.grant_id), 502, 'upstream_unreachable');
    assert.equal(stack.cpfhub.stats().refreshGrants, before + 1, 'CPFHub rotated the refresh token');
    await expectError(await userCall(app(0), grant.grant_id), 403, 'grant_lost');
    await expectError(await userCall(app(0), grant.grant_id), 403, 'unknown_grant');
  });

  test('consent ended at CPFHub with no refresh in doubt → 403 grant_revoked, and the grant is gone', async () => {
    const grant = await newGrant(app(0));
    await endGrantAtCpfhub(grant.code);
    await sleep(UNTIL_EXPIRED_MS);
    await expectError(await userCall(app(0), grant.grant_id), 403, 'grant_revoked');
    await expectError(await userCall(app(0), grant.grant_id), 403, 'unknown_grant');
  });

  test('a refresh lost before CPFHub acted: the next one succeeds and ends the doubt, so a later end is grant_revoked', async () => {
    const grant = await newGrant(app(0));
    await sleep(UNTIL_EXPIRED_MS);
    const before = stack.cpfhub.stats().refreshGrants;
    oauthProxy.setFault({ kind: 'reset' }, { path: /\/token$/, times: 1 });
    await expectError(await userCall(app(0), grant.grant_id), 502, 'upstream_unreachable');
    assert.equal((await userCall(app(0), grant.grant_id)).status, 200);
    assert.equal(stack.cpfhub.stats().refreshGrants, before + 1, 'only the second refresh reached CPFHub');
    await endGrantAtCpfhub(grant.code);
    await sleep(UNTIL_EXPIRED_MS);
    await expectError(await userCall(app(0), grant.grant_id), 403, 'grant_revoked');
  });
});

test('a pending CPFHub flow keeps its PKCE verifier sealed, and the table forgets it once the state is used', async () => {
  const { state, code } = await cpfhubConsent(stack, app(0), USER, SCOPE);
  const pending = (
    await documentClient().send(new GetCommand({ TableName: tableName(), Key: stateKey(state) }))
  ).Item;
  assert.ok(pending?.sealedCodeVerifier?.data, 'sealed');
  assert.equal(pending?.codeVerifier, undefined, 'not in the clear');
  assert.equal((await cpfhubToken(stack, app(0).apiKey, code, state)).status, 200);
  const used = (await documentClient().send(new GetCommand({ TableName: tableName(), Key: stateKey(state) })))
    .Item;
  assert.equal(used?.sealedCodeVerifier, undefined);
});
