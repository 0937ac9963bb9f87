import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { MYINFOBIZ_PERSONAS } from '@secpass/simulators/myinfobiz';
import { SGVERIFY_PERSONAS } from '@secpass/simulators/sgverify';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { stateKey } from '../../shared/adapters/dynamodb/state-store.ts';
import { documentClient, tableName } from '../../shared/adapters/dynamodb/table.ts';
import { demoApp } from '../helpers/assertions.ts';
import { consentAndReturn } from '../helpers/browser.ts';
import { PERSONAS } from '../helpers/flows.ts';

/**
 * The demo app over plain HTTP: each product's pages, what they show, and the states a browser
 * test cannot reach quickly (an expired state, a callback opened by hand). What a person sees in
 * a real browser is `demo-app-browser.test.ts`.
 */
let stack: LocalStack;
before(async () => {
  stack = await startLocalStack();
});
after(async () => {
  await stack?.stop();
});

const demo = (path: string) => `${stack.demoAppUrl}${path}`;
const callbackUrl = (base: string, params: Record<string, string>) =>
  `${base}?${new URLSearchParams(params)}`;
const cookieOf = (response: Response) => response.headers.get('set-cookie')?.split(';')[0] ?? '';

test('Myinfo: the demo opens the token and shows the form, NRIC masked; a replayed callback is explained', async () => {
  const app = demoApp(stack, 1);
  const persona = PERSONAS.foreignerG;
  const params = await consentAndReturn(demo('/apps/2/myinfo/start'), app.callbacks.myinfo, persona);
  const page = await fetch(callbackUrl(app.callbacks.myinfo, params));
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  const html = await page.text();
  assert.match(html, /Welcome, ALFONSO CRUZ/);
  assert.match(html, /name="uinfin" value="G\*\*\*\*348Q" readonly/);
  assert.equal(html.includes(persona.nric), false);

  const replay = await fetch(callbackUrl(app.callbacks.myinfo, params));
  assert.equal(replay.status, 409);
  assert.match(await replay.text(), /This page was already used/);
});

test('Myinfo: a callback after the 10 minutes is explained as taking too long', async () => {
  const app = demoApp(stack, 0);
  const params = await consentAndReturn(demo('/apps/1/myinfo/start'), app.callbacks.myinfo, PERSONAS.citizen);
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: stateKey(params.state),
      UpdateExpression: 'SET expiresAt = :past',
      ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
    }),
  );
  const page = await fetch(callbackUrl(app.callbacks.myinfo, params));
  assert.equal(page.status, 410);
  assert.match(await page.text(), /That took too long/);
});

test('a callback opened by hand, or after a denial, is explained in words', async () => {
  const bare = await fetch(demo('/apps/1/callback/myinfo'));
  assert.equal(bare.status, 400);
  assert.match(await bare.text(), /This link is incomplete/);
  const denied = await fetch(demo('/apps/1/callback/myinfobiz?error=access_denied&state=x'));
  assert.equal(denied.status, 200);
  assert.match(await denied.text(), /You chose not to share your company&#39;s data with Demo app 1/);
  const other = await fetch(demo('/apps/1/callback/cpfhub?error=server_error'));
  assert.equal(other.status, 502);
  assert.match(await other.text(), /CPFHub sent you back without completing the request/);
});

test('Singpass login: the callback opens a session, the account page shows the uuid; no session, no account', async () => {
  const app = demoApp(stack, 0);
  const params = await consentAndReturn(
    demo('/apps/1/singpass/start'),
    app.callbacks.singpass,
    PERSONAS.citizen,
  );
  const callback = await fetch(callbackUrl(app.callbacks.singpass, params), { redirect: 'manual' });
  assert.equal(callback.status, 303);
  assert.equal(callback.headers.get('location'), '/apps/1/account');
  assert.match(callback.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Lax/);
  const account = await fetch(demo('/apps/1/account'), { headers: { Cookie: cookieOf(callback) } });
  assert.equal(account.status, 200);
  const html = await account.text();
  assert.match(html, new RegExp(`u=${PERSONAS.citizen.uuid}`));
  assert.equal(html.includes(PERSONAS.citizen.nric), false);

  const stranger = await fetch(demo('/apps/1/account'));
  assert.equal(stranger.status, 401);
  assert.match(await stranger.text(), /You are not logged in/);
});

test('the FAPI 2.0 app: login, then the Myinfo v5 form', async () => {
  const app = demoApp(stack, 2);
  const login = await consentAndReturn(
    demo('/apps/3/singpass/start'),
    app.callbacks.singpass,
    PERSONAS.citizen,
  );
  assert.equal((await fetch(callbackUrl(app.callbacks.singpass, login), { redirect: 'manual' })).status, 303);

  const myinfo = await consentAndReturn(demo('/apps/3/myinfo/start'), app.callbacks.myinfo, PERSONAS.citizen);
  const page = await fetch(callbackUrl(app.callbacks.myinfo, myinfo));
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /Myinfo v5 · Singpass FAPI 2\.0/);
  assert.match(html, /Welcome, TAN HENG HUAT/);
  assert.match(html, /S\*\*\*\*381D/);
  assert.equal(html.includes(PERSONAS.citizen.nric), false);
});

test("Myinfo Business: the company's profile, with the officers' NRICs masked", async () => {
  const app = demoApp(stack, 0);
  const persona = MYINFOBIZ_PERSONAS[0];
  assert.ok(persona);
  const params = await consentAndReturn(demo('/apps/1/myinfobiz/start'), app.callbacks.myinfobiz, {
    nric: persona.uinfin,
    uen: persona.uen,
  });
  const page = await fetch(callbackUrl(app.callbacks.myinfobiz, params));
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, new RegExp(`Welcome, ${persona.officerName}`));
  assert.match(html, new RegExp(persona.uen));
  assert.equal(html.includes(persona.uinfin), false);
});

test('the kiosk: a code, the visitor the phone sends (name and masked NRIC only), and an expired code', async () => {
  const visitor = SGVERIFY_PERSONAS[0];
  assert.ok(visitor);
  const page = await fetch(demo('/apps/1/kiosk'));
  assert.match(await page.text(), /<script src="\/kiosk.js"><\/script>/);
  const code = (await (await fetch(demo('/apps/1/kiosk/qr'), { method: 'POST' })).json()) as {
    url: string;
    state: string;
    qrSvg: string;
  };
  assert.match(code.qrSvg, /^<svg/);
  const scan = await fetch(`${stack.upstreams.sgverifyPhone}/scan`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ url: code.url, uinfin: visitor.uinfin }),
  });
  assert.equal(scan.status, 200);
  const arrived = await fetch(demo(`/apps/1/kiosk/visitor?${new URLSearchParams({ state: code.state })}`));
  assert.deepEqual(await arrived.json(), {
    status: 'arrived',
    name: visitor.name,
    partialUinfin: '*****381D',
  });

  const unknown = await fetch(
    demo('/apps/1/kiosk/visitor?state=no-such-state-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
  );
  assert.deepEqual(await unknown.json(), { status: 'expired' });
});

test('CPFHub: payroll by API key (NRICs masked); an employee consents and sees only their own records', async () => {
  const app = demoApp(stack, 0);
  const payroll = await fetch(demo('/apps/1/payroll'));
  assert.equal(payroll.status, 200);
  const payrollHtml = await payroll.text();
  assert.match(payrollHtml, /LIONCITY SOFTWARE PTE\. LTD\.[\s\S]*S\*\*\*\*379B/);
  assert.equal(payrollHtml.includes('S9812379B'), false);

  const start = await fetch(demo('/apps/1/cpfhub/start'), { redirect: 'manual' });
  const consent = await fetch(start.headers.get('location') ?? '', {
    headers: { 'X-Custom-User': 'S9812381D' },
    redirect: 'manual',
  });
  const callback = consent.headers.get('location') ?? '';
  assert.ok(callback.startsWith(app.callbacks.cpfhub));
  const afterCallback = await fetch(callback, { redirect: 'manual' });
  assert.equal(afterCallback.status, 303);
  const mine = await fetch(demo('/apps/1/cpfhub/me'), { headers: { Cookie: cookieOf(afterCallback) } });
  assert.equal(mine.status, 200);
  const html = await mine.text();
  assert.match(html, /Your CPF contributions[\s\S]*S\*\*\*\*381D/);
  assert.equal(html.includes('S****379B'), false, 'only the consenting user’s records');
  assert.equal(html.includes('LIM YONG XIANG'), false);
});
