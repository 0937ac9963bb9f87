import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLocalStack } from '../local/stack.ts';
import { clickAndWait, launchChromium } from '../test/e2e/chromium.ts';
import { decideOnMyinfoConsent, loginOnMockPass } from '../test/e2e/upstream-pages.ts';
import { PERSONAS } from '../test/helpers/flows.ts';
import { exitWithUsageIfAsked } from './help.ts';

/**
 * Re-takes the demo's screenshots in docs/ (`npx tsx scripts/screenshots.ts`): a local stack,
 * Debian's Chromium, and the same clicks as the browser test. Only loopback is reached, and the
 * pictures show masked NRICs only.
 */
const DOCS = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');

exitWithUsageIfAsked(`usage: npm run screenshots
Starts the local stack and Debian's Chromium, walks the demo app as a person would and writes
docs/demo-myinfo-form.png and docs/demo-sgverify-kiosk.png.`);

const stack = await startLocalStack();
const browser = await launchChromium();
try {
  await mkdir(DOCS, { recursive: true });
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 900 });

  await page.goto(`${stack.demoAppUrl}/apps/1/myinfo`);
  await clickAndWait(page, 'a.button.singpass');
  await loginOnMockPass(page, PERSONAS.citizen);
  await decideOnMyinfoConsent(page, 'allow');
  await page.waitForSelector('input[name="uinfin"]');
  await page.screenshot({ path: join(DOCS, 'demo-myinfo-form.png'), fullPage: true });

  await page.setViewport({ width: 1280, height: 800 });
  await page.goto(`${stack.demoAppUrl}/apps/1/kiosk`);
  await page.waitForSelector('#qr[data-qr-url] svg');
  await page.screenshot({ path: join(DOCS, 'demo-sgverify-kiosk.png') });
  console.log(`wrote ${join(DOCS, 'demo-myinfo-form.png')} and ${join(DOCS, 'demo-sgverify-kiosk.png')}`);
} finally {
  await browser.close();
  await stack.stop();
}
