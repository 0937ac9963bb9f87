import type { DemoApp, LocalStack } from '../../local/stack.ts';
import { resetConfig } from '../../shared/adapters/env.ts';
import { consentAndReturn, type PersonaHeaders } from './browser.ts';

/** MockPass Myinfo v3 personas: citizen, permanent resident, and foreigners with F and G FINs. */
export const PERSONAS = {
  citizen: { nric: 'S9812381D', uuid: 'b6cb9308-733b-42b3-ad38-9b5afc890206' },
  permanentResident: { nric: 'S9812379B', uuid: '952b0342-0649-a6fe-245b-87cfcc3d38da' },
  foreignerF: { nric: 'F1612347K', uuid: '22e08ae6-0d4c-2053-078e-4e22d82d9983' },
  foreignerG: { nric: 'G1612348Q', uuid: '9bcbe570-28d6-4d67-0a34-43ca8da6055a' },
} satisfies Record<string, PersonaHeaders>;

/** Where a local stack publishes its keys and the `iss` its tokens carry, as an app opening them knows it. */
export const secpassOf = (stack: Pick<LocalStack, 'secpassJwksUrl' | 'gatewayUrl'>) => ({
  jwksUrl: stack.secpassJwksUrl,
  issuer: stack.gatewayUrl,
});

export const basic = (apiKey: string) => ({ Authorization: `Basic ${apiKey}` });

export const myinfoInit = (stack: LocalStack, apiKey: string) =>
  fetch(`${stack.gatewayUrl}/myinfo/init`, { headers: basic(apiKey), redirect: 'manual' });

/** init → MockPass login and consent → the code and state the app's callback receives. */
export const myinfoConsent = async (stack: LocalStack, app: DemoApp, persona: PersonaHeaders) => {
  const init = await myinfoInit(stack, app.apiKey);
  const location = init.headers.get('location');
  if (init.status !== 302 || !location) throw new Error(`init answered ${init.status}`);
  return consentAndReturn(location, app.callbacks.myinfo, persona);
};

export const myinfoToken = (stack: LocalStack, apiKey: string, query: string) =>
  fetch(`${stack.gatewayUrl}/myinfo/token?${query}`, { headers: basic(apiKey) });

export const tokenQuery = (code: string, state: string) => new URLSearchParams({ code, state }).toString();

/** Points the in-process handlers at another Myinfo base URL (a misbehaving proxy, say). */
export const useMyinfoBase = (url: string) => {
  process.env.MYINFO_BASE_URL = url;
  resetConfig();
};

export const postJson = (stack: LocalStack, apiKey: string, path: string, body: unknown) =>
  fetch(`${stack.gatewayUrl}${path}`, {
    method: 'POST',
    headers: { ...basic(apiKey), 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

/** authReqUri → MockPass Singpass login → the code and state the app's login callback receives. */
export const singpassLogin = async (stack: LocalStack, app: DemoApp, persona: PersonaHeaders) => {
  const response = await postJson(stack, app.apiKey, '/oidc/singpass/authReqUri', { purpose: 'login' });
  if (response.status !== 200) throw new Error(`authReqUri answered ${response.status}`);
  const { authReqUri } = (await response.json()) as { authReqUri: string };
  return { authReqUri, ...(await consentAndReturn(authReqUri, app.callbacks.singpass, persona)) };
};

/** Points the in-process handlers at another CPFHub API base (a recording proxy, say). */
export const useCpfhubApiBase = (url: string) => {
  process.env.CPFHUB_API_BASE_URL = url;
  resetConfig();
};

export const cpfhubGet = (
  stack: LocalStack,
  apiKey: string,
  path: string,
  headers: Record<string, string> = {},
) => fetch(`${stack.gatewayUrl}${path}`, { headers: { ...basic(apiKey), ...headers } });

/** `/cpfhub/oauth/init` → CPFHub's authorize endpoint, consenting as `userId` → the app's callback. */
export const cpfhubConsent = async (stack: LocalStack, app: DemoApp, userId: string, scope: string) => {
  const init = await fetch(`${stack.gatewayUrl}/cpfhub/oauth/init?${new URLSearchParams({ scope })}`, {
    headers: basic(app.apiKey),
    redirect: 'manual',
  });
  const authorizeUrl = init.headers.get('location');
  if (init.status !== 302 || !authorizeUrl) throw new Error(`init answered ${init.status}`);
  const consent = await fetch(authorizeUrl, { headers: { 'X-Custom-User': userId }, redirect: 'manual' });
  const callback = new URL(consent.headers.get('location') ?? '');
  if (consent.status !== 302 || `${callback.origin}${callback.pathname}` !== app.callbacks.cpfhub) {
    throw new Error(`CPFHub consent answered ${consent.status}`);
  }
  return {
    authorizeUrl: new URL(authorizeUrl),
    code: callback.searchParams.get('code') ?? '',
    state: callback.searchParams.get('state') ?? '',
  };
};

export const cpfhubToken = (stack: LocalStack, apiKey: string, code: string, state: string) =>
  fetch(`${stack.gatewayUrl}/cpfhub/oauth/token?${tokenQuery(code, state)}`, { headers: basic(apiKey) });
