import type { ServerResponse } from 'node:http';

/**
 * The demo's page frame and the few helpers every page uses. Pages are plain HTML strings built
 * from escaped values: nothing a person or an upstream sends is ever put in a page unescaped.
 */
export const escapeHtml = (text: string | number): string =>
  String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A fragment already escaped (built by the helpers here), as opposed to text still to escape. */
export interface Html {
  readonly html: string;
}

export const html = (markup: string): Html => ({ html: markup });

// Scripts and styles come only from the demo itself; forms post only to it. The start buttons
// are links, not forms: Chromium applies form-action to the redirect to Myinfo as well.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "style-src 'self'",
  "script-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

export interface PageOptions {
  title: string;
  body: Html;
  /** The product the page belongs to, shown in the header. */
  section?: string;
  /** The kiosk: no header, the whole screen. */
  fullScreen?: boolean;
}

export const renderPage = (options: PageOptions): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title)} · Secpass demo</title>
<link rel="stylesheet" href="/style.css">
</head>
<body${options.fullScreen ? ' class="kiosk"' : ''}>
${
  options.fullScreen
    ? ''
    : `<header class="top"><a class="brand" href="/">Secpass demo</a>${
        options.section ? `<span class="section">${escapeHtml(options.section)}</span>` : ''
      }</header>`
}
<main${options.fullScreen ? '' : ' class="page"'}>
${options.body.html}
</main>
</body>
</html>
`;

export const sendPage = (res: ServerResponse, status: number, options: PageOptions): void => {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' });
  res.end(renderPage(options));
};

export const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** 303: after a POST or a callback, the browser comes back with a GET the person may reload. */
export const redirect = (res: ServerResponse, location: string, status: 302 | 303 = 302): void => {
  res.writeHead(status, {
    'Cache-Control': 'no-store',
    Location: location,
    'Referrer-Policy': 'no-referrer',
  });
  res.end();
};

export const sendStatic = (res: ServerResponse, contentType: string, body: string): void => {
  res.writeHead(200, {
    'Content-Type': contentType,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(body);
};

/** A button-looking link: starts a flow with a plain GET (see the policy above). */
export const buttonLink = (href: string, label: string, kind: 'primary' | 'singpass' | 'plain' = 'primary') =>
  `<a class="button ${kind}" href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;

/** A one-button form that POSTs (logging out, disconnecting): never a GET that changes state. */
export const postButton = (action: string, label: string) =>
  `<form method="post" action="${escapeHtml(action)}" class="inline"><button class="button plain" type="submit">${escapeHtml(label)}</button></form>`;

export const notice = (kind: 'info' | 'warning' | 'error' | 'success', title: string, text: Html | string) =>
  `<section class="notice ${kind}" role="${kind === 'error' || kind === 'warning' ? 'alert' : 'status'}">` +
  `<h2>${escapeHtml(title)}</h2><p>${typeof text === 'string' ? escapeHtml(text) : text.html}</p></section>`;

const SINGAPORE_TIME = new Intl.DateTimeFormat('en-SG', {
  timeZone: 'Asia/Singapore',
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** Times as a person in Singapore reads them. */
export const singaporeTime = (date: Date): string => `${SINGAPORE_TIME.format(date)} (SGT)`;
