import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MYINFOBIZ_PERSONAS } from '../../local/simulators/myinfobiz/index.ts';
import { SGVERIFY_PERSONAS } from '../../local/simulators/sgverify/index.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { consentAndReturn } from '../helpers/browser.ts';
import { PERSONAS } from '../helpers/flows.ts';

let stack: LocalStack;
before(async () => {
  stack = await startLocalStack();
});
after(async () => {
  await stack?.stop();
});

test('a person signs in through the demo app, which opens the Secpass token and greets them', async () => {
  const app = stack.apps[1];
  assert.ok(app);
  const { code, state } = await consentAndReturn(
    `${stack.demoAppUrl}/apps/2/myinfo`,
    app.callbacks.myinfo,
    PERSONAS.foreignerG,
  );
  const page = await fetch(`${app.callbacks.myinfo}?${new URLSearchParams({ code, state })}`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Welcome, ALFONSO CRUZ/);
  assert.match(html, /G1612348Q/);

  const replay = await fetch(`${app.callbacks.myinfo}?${new URLSearchParams({ code, state })}`);
  assert.equal(replay.status, 502);
  assert.match(await replay.text(), /state_used/);
});

test('a person logs in with Singpass through the demo app, which verifies the login token', async () => {
  const app = stack.apps[0];
  assert.ok(app);
  const { code, state } = await consentAndReturn(
    `${stack.demoAppUrl}/apps/1/singpass`,
    app.callbacks.singpass,
    PERSONAS.citizen,
  );
  const page = await fetch(`${app.callbacks.singpass}?${new URLSearchParams({ code, state })}`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, new RegExp(`u=${PERSONAS.citizen.uuid}`));
  assert.equal(html.includes(PERSONAS.citizen.nric), false);
});

test('the third demo app, on Singpass FAPI 2.0, logs a person in and greets them with Myinfo v5 data', async () => {
  const app = stack.apps[2];
  assert.ok(app);
  const login = await consentAndReturn(
    `${stack.demoAppUrl}/apps/3/singpass`,
    app.callbacks.singpass,
    PERSONAS.citizen,
  );
  const loginPage = await fetch(`${app.callbacks.singpass}?${new URLSearchParams(login)}`);
  assert.equal(loginPage.status, 200);
  assert.match(await loginPage.text(), new RegExp(`u=${PERSONAS.citizen.uuid}`));

  const myinfo = await consentAndReturn(
    `${stack.demoAppUrl}/apps/3/myinfo`,
    app.callbacks.myinfo,
    PERSONAS.citizen,
  );
  const page = await fetch(`${app.callbacks.myinfo}?${new URLSearchParams(myinfo)}`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Welcome, TAN HENG HUAT/);
  assert.match(html, /S9812381D/);
});

test("an officer shares their company's data through the demo app, which opens the Secpass token", async () => {
  const app = stack.apps[0];
  const persona = MYINFOBIZ_PERSONAS[0];
  assert.ok(app && persona);
  const { code, state } = await consentAndReturn(
    `${stack.demoAppUrl}/apps/1/myinfobiz`,
    app.callbacks.myinfobiz,
    {
      nric: persona.uinfin,
      uen: persona.uen,
    },
  );
  const page = await fetch(`${app.callbacks.myinfobiz}?${new URLSearchParams({ code, state })}`);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, new RegExp(`Welcome, ${persona.officerName}`));
  assert.match(html, new RegExp(persona.uen));
});

test('a visitor scans the demo kiosk QR with the phone; the kiosk greets them by name', async () => {
  const app = stack.apps[0];
  const visitor = SGVERIFY_PERSONAS[0];
  assert.ok(app && visitor);
  const kioskPage = await (await fetch(`${stack.demoAppUrl}/apps/1/kiosk`)).text();
  assert.match(kioskPage, /<svg/);
  const qrUrl = decodeHtml(/<code>([^<]+)<\/code>/.exec(kioskPage)?.[1] ?? '');
  const state = new URL(qrUrl).searchParams.get('state') ?? '';
  const poll = () => fetch(`${stack.demoAppUrl}/apps/1/kiosk/result?${new URLSearchParams({ state })}`);
  assert.equal((await poll()).status, 202);
  const scan = await fetch(`${stack.upstreams.sgverifyPhone}/scan`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: qrUrl, uinfin: visitor.uinfin }),
  });
  assert.equal(scan.status, 200);
  const greeted = await poll();
  assert.equal(greeted.status, 200);
  assert.deepEqual(await greeted.json(), { name: visitor.name });
});

const decodeHtml = (text: string) =>
  text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

test('the demo payroll reads CPFHub with its API key, and a user consents for the demo to read their own CPF', async () => {
  const app = stack.apps[0];
  assert.ok(app);
  const payroll = await fetch(`${stack.demoAppUrl}/apps/1/payroll`);
  assert.equal(payroll.status, 200);
  assert.match(await payroll.text(), /Contributions for all employees[\s\S]*S9812379B/);

  const start = await fetch(`${stack.demoAppUrl}/apps/1/cpfhub`, { redirect: 'manual' });
  const consent = await fetch(start.headers.get('location') ?? '', {
    headers: { 'X-Custom-User': 'S9812381D' },
    redirect: 'manual',
  });
  const callback = consent.headers.get('location') ?? '';
  assert.ok(callback.startsWith(app.callbacks.cpfhub));
  const page = await fetch(callback);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Your CPF contributions[\s\S]*S9812381D/);
  assert.equal(html.includes('S9812379B'), false, 'only the consenting user’s records');
});
