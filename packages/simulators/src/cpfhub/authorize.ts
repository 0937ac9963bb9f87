import type { IncomingMessage, ServerResponse } from 'node:http';
import { readForm, SimulatorError, sendRedirect, uniqueParams } from '../http.ts';
import { renderConsentPage, renderErrorPage } from './consent-page.ts';
import type { AuthorizeRequest, CpfhubContext } from './context.ts';
import { CPFHUB_EMPLOYEES, employeeByUserId } from './employees.ts';
import { parseScope } from './scopes.ts';

/**
 * GET /oauth/authorize and the consent form it leads to (RFC 6749 §4.1.1, RFC 7636). Until the
 * client and its exact redirect_uri are known, a problem is shown to the user and never
 * redirected, so the endpoint cannot be used to bounce a browser anywhere; after that, problems
 * go back to the client as `error` with its state. Tests skip the page with `X-Custom-User`.
 */
export const AUTHORIZE_PATH = '/oauth/authorize';

// RFC 7636 §4.2: BASE64URL(SHA256(verifier)) is always 43 characters.
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** A problem to show the user rather than send to a redirect_uri we cannot trust. */
const pageError = (message: string) => new SimulatorError(400, message);

class RedirectedError extends Error {
  constructor(
    readonly code: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const backToClient = (redirectUri: string, params: Record<string, string>): string => {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
};

const checkAfterRedirect = (
  query: ReadonlyMap<string, string>,
  allowedScopes: readonly string[],
): Omit<AuthorizeRequest, 'clientId' | 'redirectUri' | 'state'> => {
  const responseType = query.get('response_type');
  if (!responseType) throw new RedirectedError('invalid_request', 'response_type is required');
  if (responseType !== 'code') {
    throw new RedirectedError('unsupported_response_type', 'only response_type=code is supported');
  }
  if (query.get('code_challenge_method') !== 'S256') {
    throw new RedirectedError('invalid_request', 'PKCE is required, with code_challenge_method=S256');
  }
  const codeChallenge = query.get('code_challenge') ?? '';
  if (!S256_CHALLENGE.test(codeChallenge)) {
    throw new RedirectedError('invalid_request', 'code_challenge must be a base64url SHA-256 digest');
  }
  const scope = query.get('scope');
  if (!scope) throw new RedirectedError('invalid_scope', 'scope is required');
  const scopes = parseScope(scope);
  if (!scopes) throw new RedirectedError('invalid_scope', 'scope names an unknown scope');
  if (!scopes.every((s) => allowedScopes.includes(s))) {
    throw new RedirectedError('invalid_scope', 'scope exceeds what the client is registered for');
  }
  return { scopes, codeChallenge };
};

type Checked = { ok: true; request: AuthorizeRequest } | { ok: false; location: string };

const checkAuthorizeRequest = (ctx: CpfhubContext, query: ReadonlyMap<string, string>): Checked => {
  const client = ctx.clients.get(query.get('client_id') ?? '');
  if (!client) throw pageError('client_id is not a registered client');
  const redirectUri = query.get('redirect_uri') ?? '';
  if (!client.redirectUris.includes(redirectUri)) {
    throw pageError('redirect_uri is not registered for this client');
  }
  const state = query.get('state');
  try {
    if (!state) throw new RedirectedError('invalid_request', 'state is required');
    return {
      ok: true,
      request: { clientId: client.clientId, redirectUri, state, ...checkAfterRedirect(query, client.scopes) },
    };
  } catch (error) {
    if (!(error instanceof RedirectedError)) throw error;
    const params = { error: error.code, error_description: error.description, ...(state ? { state } : {}) };
    return { ok: false, location: backToClient(redirectUri, params) };
  }
};

const codeRedirect = (ctx: CpfhubContext, request: AuthorizeRequest, userId: string): string =>
  backToClient(request.redirectUri, { code: ctx.codes.issue({ ...request, userId }), state: request.state });

const customUser = (req: IncomingMessage): string | undefined => {
  const value = req.headers['x-custom-user'];
  return Array.isArray(value) ? value[0] : value;
};

// The shared sendHtml answers 200 only; refusals need their own status.
const sendPage = (res: ServerResponse, status: number, html: string): void => {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(html);
};

/** Refusals are pages here, not the JSON the rest of CPFHub answers: a browser is reading them. */
const asPage = async (res: ServerResponse, work: () => void | Promise<void>): Promise<void> => {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof SimulatorError)) throw error;
    sendPage(res, error.status, renderErrorPage(error.message));
  }
};

export const handleAuthorize = (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
  rawQuery: string,
): Promise<void> =>
  asPage(res, () => {
    const checked = checkAuthorizeRequest(ctx, uniqueParams(rawQuery));
    if (!checked.ok) return sendRedirect(res, checked.location);
    const { request } = checked;
    const userId = customUser(req);
    if (userId !== undefined) {
      if (!employeeByUserId(userId)) throw pageError('X-Custom-User names no known user');
      return sendRedirect(res, codeRedirect(ctx, request, userId));
    }
    sendPage(
      res,
      200,
      renderConsentPage({
        clientId: request.clientId,
        scopes: request.scopes,
        consent: ctx.pendingConsents.issue(request),
        users: CPFHUB_EMPLOYEES,
      }),
    );
  });

/** POST /oauth/authorize: the consent page's Approve or Deny. */
export const handleConsentDecision = (
  ctx: CpfhubContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> =>
  asPage(res, async () => {
    const form = await readForm(req);
    const handle = form.get('consent') ?? '';
    const pending = ctx.pendingConsents.lookup(handle);
    if (pending.state !== 'valid') throw pageError(`consent request is ${pending.state}`);
    const request = pending.value;
    const decision = form.get('decision');
    if (decision === 'deny') {
      ctx.pendingConsents.consume(handle);
      return sendRedirect(
        res,
        backToClient(request.redirectUri, {
          error: 'access_denied',
          error_description: 'the user denied the request',
          state: request.state,
        }),
      );
    }
    if (decision !== 'approve') throw pageError('decision must be approve or deny');
    const userId = form.get('user') ?? '';
    if (!employeeByUserId(userId)) throw pageError('choose a user to log in as');
    ctx.pendingConsents.consume(handle);
    sendRedirect(res, codeRedirect(ctx, request, userId));
  });
