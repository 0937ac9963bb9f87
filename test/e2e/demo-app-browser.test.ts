import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { MYINFOBIZ_PERSONAS } from '@secpass/simulators/myinfobiz';
import { SGVERIFY_PERSONAS } from '@secpass/simulators/sgverify';
import type { Browser, Page } from 'puppeteer-core';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { PERSONAS } from '../helpers/flows.ts';
import { clickAndWait, launchChromium, visibleText, withPage } from './chromium.ts';
import type { PageDocument, PageElement, PageInput } from './page-dom.ts';
import { decideOnMyinfoConsent, loginOnMockPass } from './upstream-pages.ts';

/**
 * The demo app in a real browser (Debian's Chromium), driven as a person would: clicking its
 * buttons, picking a persona on MockPass's login page, allowing or denying on each consent page.
 * It asserts what the person sees, and that no full NRIC ever reaches a page.
 */
let stack: LocalStack;
let browser: Browser;
before(async () => {
  // The browser first: without Chromium the test fails at once, saying how to install it.
  browser = await launchChromium();
  stack = await startLocalStack();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

// Only inside functions that run in the page, where the browser defines it.
declare const document: PageDocument;

const citizen = PERSONAS.citizen;
const demo = (path: string) => `${stack.demoAppUrl}${path}`;

const inputOf = (page: Page, name: string) =>
  page.$eval(`input[name="${name}"]`, (input) => ({
    value: (input as PageInput).value,
    locked: (input as PageInput).readOnly,
  }));

const assertNoFullNric = async (page: Page, ...nrics: string[]) => {
  const html = await page.content();
  for (const nric of nrics) assert.equal(html.includes(nric), false, `${nric} shown in full`);
};

test('Myinfo v3: the form is prefilled, government-verified fields locked, the NRIC masked; a reload is explained', async () => {
  await withPage(browser, 'myinfo-v3', async (page) => {
    await page.goto(demo('/apps/1/myinfo'));
    await clickAndWait(page, 'a.button.singpass');
    await loginOnMockPass(page, citizen);
    await decideOnMyinfoConsent(page, 'allow');

    assert.match(await visibleText(page), /Welcome, TAN HENG HUAT/);
    assert.deepEqual(await inputOf(page, 'uinfin'), { value: 'S****381D', locked: true });
    assert.deepEqual(await inputOf(page, 'name'), { value: 'TAN HENG HUAT', locked: true });
    assert.deepEqual(await inputOf(page, 'dob'), { value: '1998-06-06', locked: true });
    assert.match(
      (await inputOf(page, 'regadd')).value,
      /102 BEDOK NORTH AVENUE 4, #09-128, PEARL GARDEN, Singapore 460102/,
    );
    assert.equal((await inputOf(page, 'email')).locked, false, 'user-provided: editable');
    await assertNoFullNric(page, citizen.nric);

    await page.reload({ waitUntil: 'domcontentloaded' });
    assert.match(await visibleText(page), /This page was already used/);
    assert.match(await visibleText(page), /Start again/);
  });
});

test('Myinfo v3: a person who denies consent is told nothing was shared', async () => {
  await withPage(browser, 'myinfo-denied', async (page) => {
    await page.goto(demo('/apps/2/myinfo'));
    await clickAndWait(page, 'a.button.singpass');
    await loginOnMockPass(page, citizen);
    await decideOnMyinfoConsent(page, 'deny');
    assert.match(await visibleText(page), /You chose not to share your Myinfo data with Demo app 2/);
  });
});

test('Myinfo v5 on the FAPI 2.0 app: the same form from person_info, with the CPF balance', async () => {
  await withPage(browser, 'myinfo-v5', async (page) => {
    await page.goto(demo('/apps/3/myinfo'));
    await clickAndWait(page, 'a.button.singpass');
    // The FAPI simulator's login form: NRIC, then "Log in and consent".
    await page.click('input[name="nric"]', { count: 3 });
    await page.type('input[name="nric"]', citizen.nric);
    await clickAndWait(page, 'button[type="submit"]');

    const text = await visibleText(page);
    assert.match(text, /Myinfo v5 · Singpass FAPI 2\.0/);
    assert.match(text, /Welcome, TAN HENG HUAT/);
    assert.deepEqual(await inputOf(page, 'uinfin'), { value: 'S****381D', locked: true });
    assert.match((await inputOf(page, 'cpfbalances')).value, /^\$[\d,]+\.\d\d$/);
    await assertNoFullNric(page, citizen.nric);
  });
});

test('Singpass login: the account page shows who is logged in (u=uuid) and when the session ends', async () => {
  await withPage(browser, 'singpass-login', async (page) => {
    await page.goto(demo('/apps/1/singpass'));
    await clickAndWait(page, 'a.button.singpass');
    await loginOnMockPass(page, citizen);
    await page.waitForSelector('[data-testid="subject"]');
    assert.equal(new URL(page.url()).pathname, '/apps/1/account');
    assert.equal(await page.$eval('[data-testid="subject"]', (e) => e.textContent), `u=${citizen.uuid}`);
    assert.match(
      await page.$eval('[data-testid="expires"]', (e) => e.textContent ?? ''),
      /\d{1,2}:\d\d.*\(SGT\)/,
    );
    await assertNoFullNric(page, citizen.nric);

    await page.reload({ waitUntil: 'domcontentloaded' });
    assert.match(await visibleText(page), /You are logged in with Singpass/);
    await clickAndWait(page, 'form[action$="/logout"] button');
    assert.match(await visibleText(page), /Log in with Singpass/);
  });
});

test('Myinfo Business: the company profile, officers masked; a denial is explained', async () => {
  const persona = MYINFOBIZ_PERSONAS[0];
  assert.ok(persona);
  await withPage(browser, 'myinfobiz', async (page) => {
    await page.goto(demo('/apps/1/myinfobiz'));
    await clickAndWait(page, 'a.button.singpass');
    await clickAndWait(page, 'button[value="allow"]');
    const text = await visibleText(page);
    assert.match(text, new RegExp(persona.entityName.replace(/\./g, '\\.')));
    assert.match(text, new RegExp(`UEN\\s+${persona.uen}`));
    assert.match(text, /Appointments[\s\S]*TAN HENG HUAT\s+S\*\*\*\*381D\s+Director/);
    await assertNoFullNric(page, 'S9812381D', 'S9812379B');

    await page.goto(demo('/apps/1/myinfobiz'));
    await clickAndWait(page, 'a.button.singpass');
    await clickAndWait(page, 'button[value="deny"]');
    assert.match(await visibleText(page), /You chose not to share your company's data with Demo app 1/);
  });
});

test('SG-Verify kiosk: a large QR, the visitor greeted by name when the phone scans it, then the next code', async () => {
  const visitor = SGVERIFY_PERSONAS[0];
  assert.ok(visitor);
  await withPage(browser, 'sgverify-kiosk', async (page) => {
    await page.goto(demo('/apps/1/kiosk?greetingMs=1500'));
    const qr = await page.waitForSelector('#qr[data-qr-url] svg');
    const size = await qr?.boundingBox();
    assert.ok(size && size.width >= 400, `a QR a visitor can scan from a step away (${size?.width}px)`);
    const first = await page.$eval('#qr', (e) => ({
      url: (e as PageElement).dataset.qrUrl ?? '',
      state: (e as PageElement).dataset.state ?? '',
    }));

    // The visitor's phone: the simulator does what the Singpass app does with the code.
    const scan = await fetch(`${stack.upstreams.sgverifyPhone}/scan`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ url: first.url, uinfin: visitor.uinfin }),
    });
    assert.equal(scan.status, 200);

    await page.waitForSelector('#greeting:not([hidden])');
    assert.equal(await page.$eval('#greeting', (e) => e.textContent), `Welcome, ${visitor.name}!`);
    assert.match(await page.$eval('#status', (e) => e.textContent ?? ''), /\*{5}381D/);
    await assertNoFullNric(page, visitor.uinfin);

    await page.waitForFunction(
      (state) => {
        const code = document.getElementById('qr');
        return code && !code.hidden && code.dataset.state && code.dataset.state !== state;
      },
      {},
      first.state,
    );
  });
});

test('CPFHub payroll: every employee, NRICs masked', async () => {
  await withPage(browser, 'cpfhub-payroll', async (page) => {
    await page.goto(demo('/apps/1/payroll'));
    const text = await visibleText(page);
    assert.match(text, /LIONCITY SOFTWARE PTE\. LTD\./);
    assert.match(text, /TAN HENG HUAT\s+S\*\*\*\*381D/);
    assert.ok((await page.$$('tbody tr')).length > 1);
    await assertNoFullNric(page, 'S9812381D', 'S9812379B');
  });
});

test('CPFHub consent: an employee connects, sees only their own contributions, disconnects; a denial is explained', async () => {
  await withPage(browser, 'cpfhub-consent', async (page) => {
    await page.goto(demo('/apps/1/cpfhub'));
    await clickAndWait(page, 'a.button.primary');
    await page.select('select[name="user"]', citizen.nric);
    await clickAndWait(page, 'button[value="approve"]');
    assert.equal(new URL(page.url()).pathname, '/apps/1/cpfhub/me');
    assert.match(await visibleText(page), /Your CPF contributions/);
    const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => (tr as PageElement).innerText));
    assert.equal(rows.length, 1);
    assert.match(rows[0] ?? '', /TAN HENG HUAT\s+S\*\*\*\*381D/);
    await assertNoFullNric(page, citizen.nric);

    await clickAndWait(page, 'form[action$="/disconnect"] button');
    assert.match(await visibleText(page), /can no longer read your CPF records/);

    await page.goto(demo('/apps/1/cpfhub'));
    await clickAndWait(page, 'a.button.primary');
    await clickAndWait(page, 'button[value="deny"]');
    assert.match(await visibleText(page), /You chose not to share your CPF records with Demo app 1/);
  });
});
