import type { Page } from 'puppeteer-core';
import { clickAndWait } from './chromium.ts';
import type { PageDocument } from './page-dom.ts';

// Only inside functions that run in the page, where the browser defines it.
declare const document: PageDocument;

/**
 * What a person does on the upstreams' own pages (MockPass's login and Myinfo consent), shared
 * by the browser test and `scripts/screenshots.ts`.
 */

/** MockPass's login page: open the login box and log in "with your own user" (NRIC and UUID). */
export const loginOnMockPass = async (page: Page, persona: { nric: string; uuid: string }) => {
  // The page has a Login button per layout; a person clicks the one on screen.
  const buttons = await page.$$('#loginModelbtn');
  const onScreen = await Promise.all(
    buttons.map(async (button) => ((await button.boundingBox()) ? button : undefined)),
  );
  const visible = onScreen.find(Boolean);
  if (!visible) throw new Error('MockPass shows no Login button');
  await visible.click();
  // Bootstrap focuses the login box once it has slid in: typing before that loses keys.
  await page.waitForFunction(() => document.activeElement?.id === 'myModalHorizontal');
  for (const [field, value] of [
    ['#nric', persona.nric],
    ['#uuid', persona.uuid],
  ] as const) {
    await page.click(field, { count: 3 });
    await page.type(field, value);
  }
  await clickAndWait(page, 'form[action*="custom-profile"] button[type="submit"]');
};

/** MockPass's Myinfo consent page. */
export const decideOnMyinfoConsent = async (page: Page, decision: 'allow' | 'deny') => {
  await page.waitForSelector(`#${decision}`);
  await page.click(`#${decision}`);
  await clickAndWait(page, 'input[type="submit"]');
};
