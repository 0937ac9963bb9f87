import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import type { PageElement } from './page-dom.ts';

/**
 * Debian's Chromium, driven by puppeteer-core. Nothing is downloaded: puppeteer-core never
 * fetches a browser, and the executable is the system's. A machine without it fails loudly
 * (a skipped browser test would hide that the demo was never looked at).
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: install it with ` +
        '`apt-get update && apt-get install -y chromium` (or point CHROMIUM_PATH at a Chromium).',
    );
  }
  return puppeteer.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      // As root in a container: no user namespace for the sandbox, and a small /dev/shm.
      '--no-sandbox',
      '--disable-dev-shm-usage',
      '--disable-gpu',
      '--no-first-run',
      '--lang=en-SG',
      // Loopback only: every other host name fails to resolve inside the browser, so a page that
      // links elsewhere (MockPass asks Google Fonts for a font) sends nothing off the machine.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
    defaultViewport: { width: 1280, height: 900 },
  });
};

/**
 * Runs one scenario in a fresh page; if it fails, saves what the page showed to a temp dir and
 * prints where, so a red run can be looked at.
 */
export const withPage = async (browser: Browser, name: string, scenario: (page: Page) => Promise<void>) => {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  try {
    await scenario(page);
  } catch (error) {
    const dir = await mkdtemp(join(tmpdir(), 'secpass-demo-'));
    const file = join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await page
      .screenshot({ path: file, fullPage: true })
      .then(() => console.error(`screenshot of the failed page "${name}": ${file}`))
      .catch(() => writeFile(join(dir, 'no-screenshot.txt'), String(error)));
    throw error;
  } finally {
    await context.close();
  }
};

/** Clicks what a person would click (a link or button by its visible text) and waits for the page it opens. */
export const clickAndWait = async (page: Page, selector: string) => {
  await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click(selector)]);
};

/** The page's visible text, as a person reads it. */
export const visibleText = (page: Page) => page.$eval('body', (body) => (body as PageElement).innerText);
