/**
 * A user agent for tests: follows redirects by hand (keeping cookies per host), submits the
 * upstream's consent form with "allow", and stops at the app's callback so the test holds
 * `code` and `state` exactly as the app would receive them.
 */
export interface PersonaHeaders {
  nric: string;
  uuid?: string;
  /** Myinfo Business: the entity the officer acts for. */
  uen?: string;
}

const FORM = /<form[^>]*action="([^"]*)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i;
const INPUT = /<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>/gi;

const decodeHtml = (value: string) =>
  value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x2F;/g, '/')
    .replace(/&#x3D;/g, '=')
    .replace(/&#39;/g, "'");

export const consentAndReturn = async (
  authoriseUrl: string,
  callbackPrefix: string,
  persona: PersonaHeaders,
): Promise<{ code: string; state: string }> => {
  const cookies = new Map<string, string>();
  let url = authoriseUrl;
  let init: RequestInit = { method: 'GET' };
  for (let hop = 0; hop < 15; hop += 1) {
    if (url.startsWith(callbackPrefix)) {
      const params = new URL(url).searchParams;
      const code = params.get('code');
      const state = params.get('state');
      if (!code || !state)
        throw new Error(`callback without code/state: ${params.get('error') ?? 'unknown'}`);
      return { code, state };
    }
    const host = new URL(url).host;
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string> | undefined),
        'X-Show-Login-Page': 'false',
        'X-Custom-NRIC': persona.nric,
        ...(persona.uuid ? { 'X-Custom-UUID': persona.uuid } : {}),
        ...(persona.uen ? { 'X-Custom-UEN': persona.uen } : {}),
        ...(cookies.get(host) ? { Cookie: cookies.get(host) as string } : {}),
      },
    });
    const setCookie = response.headers.getSetCookie().map((c) => c.split(';')[0]);
    if (setCookie.length) cookies.set(host, setCookie.join('; '));
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url).toString();
      init = { method: 'GET' };
      continue;
    }
    const html = await response.text();
    const form = FORM.exec(html);
    if (response.status !== 200 || !form?.[1] || form[2] === undefined) {
      throw new Error(`unexpected ${response.status} at ${new URL(url).pathname}`);
    }
    const fields = new URLSearchParams();
    for (const [, name, value] of form[2].matchAll(INPUT)) {
      if (name && name !== 'decision') fields.set(name, decodeHtml(value ?? ''));
    }
    fields.set('decision', 'allow');
    url = new URL(decodeHtml(form[1]), url).toString();
    init = {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    };
  }
  throw new Error('too many redirects');
};
