import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MYINFOBIZ_PERSONAS } from '@secpass/simulators/myinfobiz';
import { SGVERIFY_PERSONAS } from '@secpass/simulators/sgverify';
import { headlessAuthorize } from '@secpass/simulators/singpass-fapi';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import {
  type CpfhubContributions,
  isMyinfoV5,
  myinfoPersonOf,
  SecpassApiError,
} from '../../packages/client/src/index.ts';
import { demoApp } from '../helpers/assertions.ts';
import { consentAndReturn } from '../helpers/browser.ts';
import { PERSONAS } from '../helpers/flows.ts';
import { clientFor, lastMonth } from './stack-client.ts';

let stack: LocalStack;
before(async () => {
  stack = await startLocalStack();
});
after(async () => {
  await stack?.stop();
});

const refusedWith = (code: string, status: number) => (error: unknown) =>
  error instanceof SecpassApiError && error.code === code && error.status === status;

test('Myinfo v3 through the client: authorise URL, consent, opened person; a replayed callback is state_used', async () => {
  const app = demoApp(stack, 0);
  const secpass = clientFor(stack, app);
  const url = await secpass.myinfo.authoriseUrl();
  const { code, state } = await consentAndReturn(url, app.callbacks.myinfo, PERSONAS.citizen);
  const { payload, binding } = await secpass.myinfo.token(code, state);
  assert.equal(isMyinfoV5(payload), false);
  assert.equal(myinfoPersonOf(payload).uinfin?.value, PERSONAS.citizen.nric);
  assert.equal(myinfoPersonOf(payload).regadd?.type, 'SG');
  assert.equal(binding.aud, app.appId);
  assert.equal(binding.iss, stack.gatewayUrl);
  await assert.rejects(secpass.myinfo.token(code, state), refusedWith('state_used', 400));
});

test('Myinfo v5 through the client on the FAPI 2.0 app: userinfo with person_info', async () => {
  const app = demoApp(stack, 2);
  const secpass = clientFor(stack, app);
  const callback = await headlessAuthorize(await secpass.myinfo.authoriseUrl(), PERSONAS.citizen);
  const { payload } = await secpass.myinfo.token(
    callback.searchParams.get('code') ?? '',
    callback.searchParams.get('state') ?? '',
  );
  assert.ok(isMyinfoV5(payload));
  assert.equal(payload.sub, PERSONAS.citizen.uuid);
  assert.equal(payload.person_info.name?.value, 'TAN HENG HUAT');
  assert.equal(typeof payload.person_info.cpfbalances?.oa?.value, 'number');
});

test('Myinfo Business through the client: the entity and its officer', async () => {
  const app = demoApp(stack, 0);
  const persona = MYINFOBIZ_PERSONAS[0];
  assert.ok(persona);
  const secpass = clientFor(stack, app);
  const { code, state } = await consentAndReturn(
    await secpass.myinfobiz.authoriseUrl(),
    app.callbacks.myinfobiz,
    {
      nric: persona.uinfin,
      uen: persona.uen,
    },
  );
  const { payload } = await secpass.myinfobiz.token(code, state);
  assert.equal(payload.entity['basic-profile']?.uen.value, persona.uen);
  assert.equal(payload.person.name?.value, persona.officerName);
});

test('Singpass login through the client, legacy and FAPI 2.0: the verified uuid, never the NRIC', async () => {
  for (const n of [0, 2]) {
    const app = demoApp(stack, n);
    const secpass = clientFor(stack, app);
    const authReqUri = await secpass.singpass.authReqUri();
    const { code, state } =
      n === 2
        ? Object.fromEntries((await headlessAuthorize(authReqUri, PERSONAS.citizen)).searchParams)
        : await consentAndReturn(authReqUri, app.callbacks.singpass, PERSONAS.citizen);
    const login = await secpass.singpass.userInfo(code ?? '', state ?? '');
    assert.equal(login.uuid, PERSONAS.citizen.uuid, `app ${n + 1}`);
    assert.equal(login.claims.sub, `u=${PERSONAS.citizen.uuid}`);
    assert.ok(login.expiresAt.getTime() > Date.now());
    assert.equal(login.token.includes(PERSONAS.citizen.nric), false);
  }
});

test('SG-Verify through the client: pending, then waitForResult opens the visitor the phone sent', async () => {
  const app = demoApp(stack, 0);
  const visitor = SGVERIFY_PERSONAS[0];
  assert.ok(visitor);
  const secpass = clientFor(stack, app);
  const qr = await secpass.sgverify.createQr({
    qrType: 'dynamic',
    kioskId: 'client-test',
    validForSeconds: 120,
  });
  assert.match(qr.qrSvg, /^<svg/);
  assert.deepEqual(await secpass.sgverify.result(qr.state), { status: 'pending' });
  const waiting = secpass.sgverify.waitForResult(qr.state, { timeoutMs: 20_000, initialDelayMs: 100 });
  const scan = await fetch(`${stack.upstreams.sgverifyPhone}/scan`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: qr.url, uinfin: visitor.uinfin }),
  });
  assert.equal(scan.status, 200);
  const { payload } = await waiting;
  assert.equal(payload.name?.value, visitor.name);
  assert.equal(payload.partialuinfin?.value, '*****381D');
  await assert.rejects(
    secpass.sgverify.result('not-a-state-of-ours-aaaaaaaaaaaaaaaaaaaaaaaaaa'),
    refusedWith('invalid_state', 404),
  );
});

test("CPFHub through the client: payroll by API key, a user's grant, their own records, then revoked", async () => {
  const app = demoApp(stack, 0);
  const secpass = clientFor(stack, app);
  const payroll = await secpass.cpfhub.get<CpfhubContributions>('contributions', lastMonth());
  assert.ok(payroll.contributions.length > 1);

  const authorize = await secpass.cpfhub.oauthUrl(['cpf_contribution:read', 'cpf_statement:read']);
  const consent = await fetch(authorize, { headers: { 'X-Custom-User': 'S9812381D' }, redirect: 'manual' });
  const callback = new URL(consent.headers.get('location') ?? '');
  const { payload: grant } = await secpass.cpfhub.grantToken(
    callback.searchParams.get('code') ?? '',
    callback.searchParams.get('state') ?? '',
  );
  assert.equal(grant.aud, app.appId);
  assert.equal(grant.scope, 'cpf_contribution:read cpf_statement:read');

  const own = await secpass.cpfhub
    .user(grant.grant_id)
    .get<CpfhubContributions>('contributions', lastMonth());
  assert.deepEqual(
    own.contributions.map((line) => line.nric),
    ['S9812381D'],
  );
  await secpass.cpfhub.revokeGrant(grant.grant_id);
  await assert.rejects(
    secpass.cpfhub.user(grant.grant_id).get('contributions', lastMonth()),
    refusedWith('unknown_grant', 403),
  );
  await assert.rejects(secpass.cpfhub.get('payouts'), refusedWith('route_not_allowed', 404));
});

test('a wrong API key is invalid_api_key', async () => {
  const app = demoApp(stack, 0);
  const secpass = clientFor(stack, { ...app, apiKey: 'not-a-key' });
  await assert.rejects(secpass.myinfo.authoriseUrl(), refusedWith('invalid_api_key', 403));
});
