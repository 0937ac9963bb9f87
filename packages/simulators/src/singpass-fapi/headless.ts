import type { Person } from './login.ts';

const MAX_HOPS = 10;

/**
 * Plays the browser for a headless login: follows the issuer's redirects, carrying its cookies and
 * naming the person on every request, until the issuer sends the browser back to the client.
 * Returns that callback URL, with its `code` and `state` (or `error`).
 */
export const headlessAuthorize = async (authorizationUrl: string, person: Person): Promise<URL> => {
  const personHeaders: Record<string, string> = { 'X-Custom-NRIC': person.nric };
  if (person.uuid) personHeaders['X-Custom-UUID'] = person.uuid;
  const cookies = new Map<string, string>();
  let url = new URL(authorizationUrl);
  const issuerOrigin = url.origin;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    if (url.origin !== issuerOrigin) return url;
    const cookie = [...cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, {
      headers: cookie ? { ...personHeaders, Cookie: cookie } : personHeaders,
      redirect: 'manual',
    });
    for (const line of response.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0] ?? '';
      const mark = pair.indexOf('=');
      if (mark > 0) cookies.set(pair.slice(0, mark), pair.slice(mark + 1));
    }
    const location = response.headers.get('location');
    if (!location) {
      throw new Error(
        `the issuer answered ${response.status} instead of redirecting: ${await response.text()}`,
      );
    }
    url = new URL(location, url);
  }
  throw new Error('the issuer redirected too many times');
};
