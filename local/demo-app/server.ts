import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DemoClients } from './clients.ts';
import type { DemoContext, PageHandler } from './context.ts';
import { html, sendPage, sendStatic } from './html.ts';
import {
  cpfhubCallback,
  cpfhubLanding,
  cpfhubStart,
  disconnect,
  myContributions,
  payroll,
} from './pages/cpfhub.ts';
import { home } from './pages/home.ts';
import { kioskCode, kioskPage, kioskVisitor } from './pages/kiosk.ts';
import { myinfoCallback, myinfoLanding, myinfoStart } from './pages/myinfo.ts';
import { myinfobizCallback, myinfobizLanding, myinfobizStart } from './pages/myinfobiz.ts';
import { account, logout, singpassCallback, singpassLanding, singpassStart } from './pages/singpass.ts';
import type { DemoApp } from './registered-app.ts';
import { Sessions } from './sessions.ts';

/**
 * The demo relying apps, written as an app developer would write them against Secpass with
 * `@secpass/client`: pages for Myinfo (v3 and v5), Singpass Login, Myinfo Business, an SG-Verify
 * kiosk and CPFHub. The callbacks the stack registers are `/apps/<n>/callback/<product>`.
 */
export interface DemoAppServer {
  url: string;
  stop(): Promise<void>;
}

export interface DemoAppConfig {
  gatewayUrl: string;
  secpassJwksUrl: string;
  apps: DemoApp[];
}

const STATIC_FILES: Record<string, { type: string; body: string }> = {
  '/style.css': {
    type: 'text/css; charset=utf-8',
    body: readFileSync(new URL('./style.css', import.meta.url), 'utf8'),
  },
  '/kiosk.js': {
    type: 'text/javascript; charset=utf-8',
    body: readFileSync(new URL('./kiosk.js', import.meta.url), 'utf8'),
  },
};

/** `METHOD page` under `/apps/<n>/`. */
const PAGES: Record<string, PageHandler> = {
  'GET myinfo': myinfoLanding,
  'GET myinfo/start': myinfoStart,
  'GET callback/myinfo': myinfoCallback,
  'GET myinfobiz': myinfobizLanding,
  'GET myinfobiz/start': myinfobizStart,
  'GET callback/myinfobiz': myinfobizCallback,
  'GET singpass': singpassLanding,
  'GET singpass/start': singpassStart,
  'GET callback/singpass': singpassCallback,
  'GET account': account,
  'POST logout': logout,
  'GET kiosk': kioskPage,
  'POST kiosk/qr': kioskCode,
  'GET kiosk/visitor': kioskVisitor,
  'GET payroll': payroll,
  'GET cpfhub': cpfhubLanding,
  'GET cpfhub/start': cpfhubStart,
  'GET callback/cpfhub': cpfhubCallback,
  'GET cpfhub/me': myContributions,
  'POST cpfhub/disconnect': disconnect,
};

const APP_PATH = /^\/apps\/(\d{1,2})\/([a-z/]+)$/;

const notFound = (res: DemoContext['res']) =>
  sendPage(res, 404, {
    title: 'Not found',
    body: html('<h1>Not found</h1><p>There is no such page. <a href="/">Back to the demo</a></p>'),
  });

export const startDemoAppServer = async (
  port: number,
  config: () => DemoAppConfig,
): Promise<DemoAppServer> => {
  const clients = new DemoClients();
  const sessions = new Sessions();

  const handle = async (req: IncomingMessage, res: DemoContext['res']) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const file = STATIC_FILES[url.pathname];
    if (req.method === 'GET' && file) return sendStatic(res, file.type, file.body);
    if (req.method === 'GET' && url.pathname === '/') return home(res, config().apps);
    const route = APP_PATH.exec(url.pathname);
    const n = Number(route?.[1]);
    const current = config();
    const app = current.apps[n - 1];
    const page = PAGES[`${req.method} ${route?.[2]}`];
    if (!route || !app || !page) return notFound(res);
    await page({
      req,
      res,
      query: url.searchParams,
      n,
      app,
      secpass: clients.for(current, app),
      sessions,
      base: `/apps/${n}`,
    });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // The error's name only: a message could quote what an upstream sent.
      console.error(
        `demo app: ${req.method} ${new URL(req.url ?? '/', 'http://demo').pathname} failed: ${error instanceof Error ? error.name : 'unknown error'}`,
      );
      if (!res.headersSent) {
        sendPage(res, 500, {
          title: 'Something went wrong',
          body: html(
            '<h1>Something went wrong</h1><p>The demo app could not finish. <a href="/">Back to the demo</a></p>',
          ),
        });
      } else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
