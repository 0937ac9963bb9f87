import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { DemoApp } from '../stack.ts';
import { openSecpassToken } from './open-token.ts';

/**
 * A demo relying app, as an app developer would write one against Secpass: its server calls
 * `/myinfo/init` with its API key and sends the browser on; on the callback it calls
 * `/myinfo/token`, opens the Secpass token with its private key and shows the person.
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

/** This demo's Secpass: its tokens' `iss` is the gateway's URL, as SECPASS_ISSUER is locally. */
const secpassOf = (config: DemoAppConfig) => ({ jwksUrl: config.secpassJwksUrl, issuer: config.gatewayUrl });

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>Secpass demo app</title><body style="font-family:sans-serif">${body}</body>`,
  );
};

const home = (config: DemoAppConfig) =>
  `<h1>Secpass demo apps</h1><ul>${config.apps
    .map(
      (app, i) =>
        `<li>${escapeHtml(app.name)}: <a href="/apps/${i + 1}/myinfo">Retrieve Myinfo with Singpass</a> · ` +
        `<a href="/apps/${i + 1}/myinfobiz">Retrieve Myinfo Business</a> · ` +
        `<a href="/apps/${i + 1}/singpass">Log in with Singpass</a> · ` +
        `<a href="/apps/${i + 1}/kiosk">SG-Verify kiosk</a> · ` +
        `<a href="/apps/${i + 1}/payroll">CPFHub payroll (API key)</a> · ` +
        `<a href="/apps/${i + 1}/cpfhub">My CPF contributions (CPFHub consent)</a></li>`,
    )
    .join('')}</ul>`;

type DataProduct = 'myinfo' | 'myinfobiz';
type PersonData = { name?: { value?: string } };

/** Sends the person on to where a Secpass init route redirects, or shows why Secpass refused. */
const redirectThroughInit = async (initUrl: string, app: DemoApp, res: ServerResponse) => {
  const init = await fetch(initUrl, {
    headers: { Authorization: `Basic ${app.apiKey}` },
    redirect: 'manual',
  });
  const location = init.headers.get('location');
  if (init.status !== 302 || !location)
    return page(res, 502, `<p>Secpass refused: ${escapeHtml(await init.text())}</p>`);
  res.writeHead(302, { Location: location });
  res.end();
};

const startData = (config: DemoAppConfig, app: DemoApp, product: DataProduct, res: ServerResponse) =>
  redirectThroughInit(`${config.gatewayUrl}/${product}/init`, app, res);

const finishData = async (
  config: DemoAppConfig,
  app: DemoApp,
  product: DataProduct,
  query: URLSearchParams,
  res: ServerResponse,
) => {
  const exchange = await fetch(
    `${config.gatewayUrl}/${product}/token?${new URLSearchParams({ code: query.get('code') ?? '', state: query.get('state') ?? '' })}`,
    { headers: { Authorization: `Basic ${app.apiKey}` } },
  );
  const body = await exchange.text();
  if (exchange.status !== 200) return page(res, 502, `<p>Secpass refused: ${escapeHtml(body)}</p>`);
  const { payload } = await openSecpassToken(body, app, secpassOf(config));
  // Myinfo v3 sends the person; Myinfo Business { entity, person }; Myinfo v5 (FAPI) { sub, person_info }.
  const data = JSON.parse(new TextDecoder().decode(payload)) as PersonData & {
    person?: PersonData;
    person_info?: PersonData;
  };
  const name = (data.person ?? data.person_info ?? data).name?.value ?? 'friend';
  page(
    res,
    200,
    `<h1>Welcome, ${escapeHtml(name)}</h1>` +
      `<p>The Secpass token decrypted with ${escapeHtml(app.name)}'s key and verified against Secpass's JWKS.</p>` +
      `<pre>${escapeHtml(JSON.stringify(data, null, 2))}</pre><p><a href="/">Back</a></p>`,
  );
};

const secpass = (config: DemoAppConfig, app: DemoApp, path: string, body: unknown) =>
  fetch(`${config.gatewayUrl}${path}`, {
    method: 'POST',
    headers: { Authorization: `Basic ${app.apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

const startSingpass = async (config: DemoAppConfig, app: DemoApp, res: ServerResponse) => {
  const answer = await secpass(config, app, '/oidc/singpass/authReqUri', { purpose: 'login' });
  if (answer.status !== 200)
    return page(res, 502, `<p>Secpass refused: ${escapeHtml(await answer.text())}</p>`);
  const { authReqUri } = (await answer.json()) as { authReqUri: string };
  res.writeHead(302, { Location: authReqUri });
  res.end();
};

const finishSingpass = async (
  config: DemoAppConfig,
  app: DemoApp,
  query: URLSearchParams,
  res: ServerResponse,
) => {
  const answer = await secpass(config, app, '/oidc/singpass/userInfo', {
    authCode: query.get('code') ?? '',
    state: query.get('state') ?? '',
  });
  if (answer.status !== 200)
    return page(res, 502, `<p>Secpass refused: ${escapeHtml(await answer.text())}</p>`);
  const { token } = (await answer.json()) as { token: string };
  // An app checks the signature, the issuer's key set, that it is the audience, and expiry.
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(config.secpassJwksUrl)), {
    algorithms: ['ES256'],
    audience: app.appId,
  });
  page(
    res,
    200,
    `<h1>Signed in</h1><p>Singpass user <code>${escapeHtml(String(payload.sub))}</code>, ` +
      `verified against Secpass's JWKS for ${escapeHtml(app.name)}.</p><p><a href="/">Back</a></p>`,
  );
};

/** A kiosk: shows a fresh dynamic SG-Verify QR code and polls for the visitor who scans it. */
const kiosk = async (config: DemoAppConfig, app: DemoApp, n: string, res: ServerResponse) => {
  const answer = await secpass(config, app, '/sgverify/qr', { qrType: 'dynamic', kioskId: `demo-${n}` });
  if (answer.status !== 200)
    return page(res, 502, `<p>Secpass refused: ${escapeHtml(await answer.text())}</p>`);
  const qr = (await answer.json()) as { url: string; state: string; qrSvg: string };
  page(
    res,
    200,
    `<h1>Scan with the Singpass app</h1><div style="width:280px">${qr.qrSvg}</div>` +
      `<p id="status">Waiting for a visitor…</p><details><summary>QR URL</summary><code>${escapeHtml(qr.url)}</code></details>` +
      `<script>const poll=async()=>{const r=await fetch('/apps/${n}/kiosk/result?state=${encodeURIComponent(qr.state)}');` +
      `if(r.status===200){const v=await r.json();document.getElementById('status').textContent='Welcome, '+v.name+'!';}` +
      `else if(r.status===202){setTimeout(poll,1000);}else{document.getElementById('status').textContent='This code has expired.';}};poll();</script>`,
  );
};

/** What the kiosk page polls: the demo app collects from Secpass with its key and opens the token. */
const kioskResult = async (
  config: DemoAppConfig,
  app: DemoApp,
  query: URLSearchParams,
  res: ServerResponse,
) => {
  const answer = await fetch(
    `${config.gatewayUrl}/sgverify/result?${new URLSearchParams({ state: query.get('state') ?? '' })}`,
    { headers: { Authorization: `Basic ${app.apiKey}` } },
  );
  res.setHeader('Cache-Control', 'no-store');
  if (answer.status !== 200) {
    res.writeHead(answer.status, { 'Content-Type': 'application/json' });
    return res.end(await answer.text());
  }
  const { payload } = await openSecpassToken(await answer.text(), app, secpassOf(config));
  const person = JSON.parse(new TextDecoder().decode(payload)) as PersonData;
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ name: person.name?.value ?? 'visitor' }));
};

/** The month the CPFHub pages show: last month, complete (CPF pays it on the 14th of this one). */
const lastMonth = () => {
  const now = new Date();
  const month = now.getUTCMonth() === 0 ? 12 : now.getUTCMonth();
  const year = now.getUTCMonth() === 0 ? now.getUTCFullYear() - 1 : now.getUTCFullYear();
  return new URLSearchParams({ year: String(year), month: String(month) });
};

const showCpfhubAnswer = async (res: ServerResponse, title: string, answer: Response) => {
  const body = await answer.text();
  if (answer.status !== 200) return page(res, 502, `<p>Secpass refused: ${escapeHtml(body)}</p>`);
  page(
    res,
    200,
    `<h1>${escapeHtml(title)}</h1><pre>${escapeHtml(JSON.stringify(JSON.parse(body), null, 2))}</pre><p><a href="/">Back</a></p>`,
  );
};

/** A payroll backend: CPFHub through Secpass with only its Secpass API key. */
const payroll = async (config: DemoAppConfig, app: DemoApp, res: ServerResponse) =>
  showCpfhubAnswer(
    res,
    'Contributions for all employees',
    await fetch(`${config.gatewayUrl}/cpfhub/contributions?${lastMonth()}`, {
      headers: { Authorization: `Basic ${app.apiKey}` },
    }),
  );

const startCpfhub = (config: DemoAppConfig, app: DemoApp, res: ServerResponse) => {
  const scope = new URLSearchParams({ scope: 'cpf_contribution:read cpf_statement:read' });
  return redirectThroughInit(`${config.gatewayUrl}/cpfhub/oauth/init?${scope}`, app, res);
};

/**
 * After consent: the sealed token names the user's grant, which a real app would keep in the
 * user's session; the demo uses it at once to read the user's own contributions.
 */
const finishCpfhub = async (
  config: DemoAppConfig,
  app: DemoApp,
  query: URLSearchParams,
  res: ServerResponse,
) => {
  const exchange = await fetch(
    `${config.gatewayUrl}/cpfhub/oauth/token?${new URLSearchParams({ code: query.get('code') ?? '', state: query.get('state') ?? '' })}`,
    { headers: { Authorization: `Basic ${app.apiKey}` } },
  );
  const body = await exchange.text();
  if (exchange.status !== 200) return page(res, 502, `<p>Secpass refused: ${escapeHtml(body)}</p>`);
  const { payload } = await openSecpassToken(body, app, secpassOf(config));
  const { grant_id: grantId } = JSON.parse(new TextDecoder().decode(payload)) as { grant_id: string };
  await showCpfhubAnswer(
    res,
    'Your CPF contributions',
    await fetch(`${config.gatewayUrl}/cpfhub/user/contributions?${lastMonth()}`, {
      headers: { Authorization: `Basic ${app.apiKey}`, 'X-Secpass-Grant': grantId },
    }),
  );
};

export const startDemoAppServer = async (
  port: number,
  config: () => DemoAppConfig,
): Promise<DemoAppServer> => {
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://demo');
    const route =
      /^\/apps\/(\d+)\/((?:callback\/)?(?:myinfo|myinfobiz|singpass|cpfhub)|kiosk|kiosk\/result|payroll)$/.exec(
        url.pathname,
      );
    const app = route ? config().apps[Number(route[1]) - 1] : undefined;
    const work = async () => {
      if (url.pathname === '/') return page(res, 200, home(config()));
      if (!route || !app) return page(res, 404, '<p>Not found</p>');
      const steps = {
        myinfo: () => startData(config(), app, 'myinfo', res),
        myinfobiz: () => startData(config(), app, 'myinfobiz', res),
        singpass: () => startSingpass(config(), app, res),
        'callback/myinfo': () => finishData(config(), app, 'myinfo', url.searchParams, res),
        'callback/myinfobiz': () => finishData(config(), app, 'myinfobiz', url.searchParams, res),
        'callback/singpass': () => finishSingpass(config(), app, url.searchParams, res),
        kiosk: () => kiosk(config(), app, route[1] ?? '', res),
        'kiosk/result': () => kioskResult(config(), app, url.searchParams, res),
        payroll: () => payroll(config(), app, res),
        cpfhub: () => startCpfhub(config(), app, res),
        'callback/cpfhub': () => finishCpfhub(config(), app, url.searchParams, res),
      };
      return steps[route[2] as keyof typeof steps]();
    };
    work().catch(() => page(res, 500, '<p>The demo app could not open the Secpass token.</p>'));
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
