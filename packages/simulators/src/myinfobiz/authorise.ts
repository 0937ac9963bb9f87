import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm, SimulatorError, sendHtml, sendRedirect } from '../http.ts';
import { renderConsentPage } from './consent-page.ts';
import type { AuthoriseRequest, SimulatorContext } from './context.ts';
import { isKnownAttribute } from './data-items.ts';
import { findPersona, MYINFOBIZ_PERSONAS, type MyinfoBizPersona, personaBySubject } from './personas.ts';

/**
 * GET /biz/v2/authorise and the consent form it leads to. Tests skip the page by naming a persona
 * in X-Custom-NRIC + X-Custom-UEN (MockPass's convention, plus the entity); either way the browser
 * ends at redirect_uri with a single-use code and the app's state.
 */
const REQUIRED = ['client_id', 'attributes', 'purpose', 'state', 'redirect_uri'] as const;
const ATTRIBUTE_NAME = /^[a-z0-9-]+$/;

const parseAttributes = (list: string): string[] => {
  const names = list.split(',');
  if (!names.every((name) => ATTRIBUTE_NAME.test(name))) {
    throw new SimulatorError(400, 'attributes must be a comma-separated list of attribute names');
  }
  return [...new Set(names)];
};

const parseAuthoriseRequest = (
  ctx: SimulatorContext,
  query: ReadonlyMap<string, string>,
): AuthoriseRequest => {
  for (const name of REQUIRED) {
    if (!query.get(name)) throw new SimulatorError(400, `${name} is required`);
  }
  const param = (name: (typeof REQUIRED)[number]) => query.get(name) ?? '';
  if (param('client_id') !== ctx.clientId) throw new SimulatorError(400, 'client_id is not registered');
  const responseType = query.get('response_type');
  if (responseType !== undefined && responseType !== 'code') {
    throw new SimulatorError(400, 'response_type must be code');
  }
  let redirect: URL;
  try {
    redirect = new URL(param('redirect_uri'));
  } catch {
    throw new SimulatorError(400, 'redirect_uri must be an absolute URL');
  }
  if (redirect.protocol !== 'http:' && redirect.protocol !== 'https:') {
    throw new SimulatorError(400, 'redirect_uri must be an http(s) URL');
  }
  const requestedAttributes = parseAttributes(param('attributes'));
  const attributes = requestedAttributes.filter(isKnownAttribute);
  if (!attributes.length) throw new SimulatorError(400, 'none of the requested attributes is available');
  return {
    clientId: param('client_id'),
    redirectUri: param('redirect_uri'),
    state: param('state'),
    purpose: param('purpose'),
    requestedAttributes,
    attributes,
  };
};

const backToApp = (redirectUri: string, params: Record<string, string>): string => {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
};

const grantCode = (ctx: SimulatorContext, request: AuthoriseRequest, persona: MyinfoBizPersona): string => {
  const code = ctx.codes.issue({
    clientId: request.clientId,
    redirectUri: request.redirectUri,
    state: request.state,
    attributes: request.attributes,
    subject: persona.subject,
  });
  return backToApp(request.redirectUri, { code, state: request.state });
};

const header = (req: IncomingMessage, name: string): string | undefined => {
  const found = req.headers[name];
  return Array.isArray(found) ? found[0] : found;
};

export const handleAuthorise = (
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: ReadonlyMap<string, string>,
): void => {
  const request = parseAuthoriseRequest(ctx, query);
  const nric = header(req, 'x-custom-nric');
  const uen = header(req, 'x-custom-uen');
  if (nric && uen) {
    const persona = findPersona(uen, nric);
    if (!persona) {
      throw new SimulatorError(400, 'X-Custom-NRIC / X-Custom-UEN name no known officer of that entity');
    }
    sendRedirect(res, grantCode(ctx, request, persona));
    return;
  }
  sendHtml(
    res,
    renderConsentPage({
      clientId: request.clientId,
      purpose: request.purpose,
      requestedAttributes: request.requestedAttributes,
      transaction: ctx.pendingConsents.issue(request),
      personas: MYINFOBIZ_PERSONAS,
    }),
  );
};

export const handleConsent = async (
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  const form = await readForm(req);
  const transaction = form.get('transaction') ?? '';
  const pending = ctx.pendingConsents.lookup(transaction);
  if (pending.state !== 'valid') throw new SimulatorError(400, `consent request is ${pending.state}`);
  const request = pending.value;
  const decision = form.get('decision');
  if (decision === 'deny') {
    ctx.pendingConsents.consume(transaction);
    sendRedirect(
      res,
      backToApp(request.redirectUri, {
        error: 'access_denied',
        error_description: 'Resource Owner did not authorize the request',
        state: request.state,
      }),
    );
    return;
  }
  if (decision !== 'allow') throw new SimulatorError(400, 'decision must be allow or deny');
  const persona = personaBySubject(form.get('persona') ?? '');
  if (!persona) throw new SimulatorError(400, 'choose a persona to log in as');
  ctx.pendingConsents.consume(transaction);
  sendRedirect(res, grantCode(ctx, request, persona));
};
