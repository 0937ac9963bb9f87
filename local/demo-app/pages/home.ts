import type { ServerResponse } from 'node:http';
import { buttonLink, escapeHtml, html, sendPage } from '../html.ts';
import type { DemoApp } from '../registered-app.ts';

/** The demo's front page: each product, and the demo apps that show it. */
interface Product {
  title: string;
  text: string;
  /** The page under /apps/<n>/ that starts it. */
  path: string;
  action: string;
  kind?: 'primary' | 'singpass';
  /** Which demo apps (1-based) to offer: those that show something different. */
  apps: number[];
}

const PRODUCTS: Product[] = [
  {
    title: 'Myinfo: a form filled for you',
    text: 'An account application prefilled from Myinfo, government-verified fields locked and the NRIC masked. Apps 1 and 2 use Myinfo v3; app 3 Myinfo v5 on Singpass FAPI 2.0.',
    path: 'myinfo',
    action: 'Myinfo form',
    kind: 'singpass',
    apps: [1, 2, 3],
  },
  {
    title: 'Log in with Singpass',
    text: 'A login that keeps a session: who is logged in (by Singpass UUID, never the NRIC) and until when.',
    path: 'singpass',
    action: 'Log in',
    kind: 'singpass',
    apps: [1, 3],
  },
  {
    title: 'Myinfo Business',
    text: "A company's registered profile, shared by one of its officers with Corppass.",
    path: 'myinfobiz',
    action: 'Company profile',
    apps: [1],
  },
  {
    title: 'SG-Verify kiosk',
    text: 'A full-screen check-in kiosk: scan the code with the Singpass app and the kiosk greets you.',
    path: 'kiosk',
    action: 'Open kiosk',
    apps: [1],
  },
  {
    title: 'CPFHub payroll',
    text: "The employer's view: every employee's CPF contributions, read with the app's API key.",
    path: 'payroll',
    action: 'Payroll',
    apps: [1],
  },
  {
    title: 'My CPF, with consent',
    text: 'An employee lets the app read their own CPF contributions, and can disconnect.',
    path: 'cpfhub',
    action: 'Connect CPF',
    apps: [1],
  },
];

const productCard = (product: Product, apps: DemoApp[]) =>
  `<section class="card"><h2>${escapeHtml(product.title)}</h2><p>${escapeHtml(product.text)}</p><div class="actions">` +
  product.apps
    .flatMap((n) => {
      const app = apps[n - 1];
      return app
        ? [
            buttonLink(
              `/apps/${n}/${product.path}`,
              `${product.action} · ${app.name}`,
              product.kind ?? 'primary',
            ),
          ]
        : [];
    })
    .join('') +
  '</div></section>';

export const home = (res: ServerResponse, apps: DemoApp[]): void =>
  sendPage(res, 200, {
    title: 'Home',
    body: html(
      '<h1>Secpass demo</h1>' +
        '<p class="lead">Small apps that use Secpass the way a real service would, through <code>@secpass/client</code>: every token is decrypted, verified and checked before anything is shown.</p>' +
        (apps.length
          ? `<div class="grid">${PRODUCTS.map((product) => productCard(product, apps)).join('')}</div>`
          : '<p>The demo apps are being registered; reload in a moment.</p>'),
    ),
  });
