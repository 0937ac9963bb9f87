import { readFileSync } from 'node:fs';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { parse } from 'yaml';

/**
 * The API reference, served by the local gateway beside the API it describes: the OpenAPI
 * document as JSON for tools, and a plain page for people. Read once, when first asked for.
 */
interface Operation {
  summary?: string;
  description?: string;
  parameters?: { name?: string; in?: string; required?: boolean; description?: string; $ref?: string }[];
  responses?: Record<string, { description?: string; $ref?: string }>;
}
interface Document {
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, Record<string, Operation>>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

let document: Document | undefined;
const openApi = (): Document => {
  document ??= parse(readFileSync(new URL('../docs/openapi.yaml', import.meta.url), 'utf8')) as Document;
  return document;
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const refName = (ref: string) => ref.split('/').at(-1) ?? ref;

const operationHtml = (path: string, method: string, operation: Operation) => {
  const parameters = (operation.parameters ?? [])
    .map((p) =>
      p.$ref
        ? `<li><code>${escapeHtml(refName(p.$ref))}</code></li>`
        : `<li><code>${escapeHtml(p.name ?? '')}</code> (${escapeHtml(p.in ?? '')}${p.required ? ', required' : ''}) ${escapeHtml(p.description ?? '')}</li>`,
    )
    .join('');
  const responses = Object.entries(operation.responses ?? {})
    .map(
      ([status, r]) =>
        `<li><b>${escapeHtml(status)}</b> ${escapeHtml(r.description ?? (r.$ref ? refName(r.$ref) : ''))}</li>`,
    )
    .join('');
  return `<section><h2><span class="m">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
<p><b>${escapeHtml(operation.summary ?? '')}</b></p><p>${escapeHtml(operation.description ?? '').replace(/\n\n/g, '</p><p>')}</p>
${parameters ? `<h3>Parameters</h3><ul>${parameters}</ul>` : ''}<h3>Responses</h3><ul>${responses}</ul></section>`;
};

const page = (doc: Document) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>${escapeHtml(doc.info?.title ?? 'API')}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
section{border-top:1px solid #ddd;padding:.5rem 0}h2{font-size:1.1rem}.m{background:#234;color:#fff;padding:0 .4rem;border-radius:3px}
code{background:#f3f3f3;padding:0 .2rem}</style></head><body>
<h1>${escapeHtml(doc.info?.title ?? '')} <small>${escapeHtml(doc.info?.version ?? '')}</small></h1>
<p>${escapeHtml(doc.info?.description ?? '').replace(/\n\n/g, '</p><p>')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
${Object.entries(doc.paths ?? {})
  .flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => operationHtml(path, m, item[m] as Operation)),
  )
  .join('\n')}
</body></html>`;

/** `GET /openapi.json` and `GET /docs`, or undefined for any other request. */
export const apiReferenceAnswer = (method: string, pathname: string): APIGatewayProxyResult | undefined => {
  if (method !== 'GET') return undefined;
  if (pathname === '/openapi.json') {
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(openApi()),
    };
  }
  if (pathname === '/docs') {
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'text/html; charset=utf-8' },
      body: page(openApi()),
    };
  }
  return undefined;
};
