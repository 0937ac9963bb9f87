import type { IncomingMessage, ServerResponse } from 'node:http';
import { calledUrl, SimulatorError } from '../http.ts';
import { signThenEncrypt } from '../sign-then-encrypt.ts';
import type { SimulatorContext } from './context.ts';
import { isKnownAttribute } from './data-items.ts';
import { verifySignedRequest } from './gateway.ts';
import { entityPersonPayload } from './payload.ts';
import { personaBySubject } from './personas.ts';

/**
 * GET /biz/v2/entity-person/{uen}/{uinfin}/ with `Authorization: PKI_SIGN …,Bearer <token>`.
 * Everything that makes Myinfo refuse the call is a 401 there (signature, token, a path that is
 * not the logged-in user, attributes beyond the consent); only a malformed query is a 400.
 */
export const ENTITY_PERSON_PATH = /^\/biz\/v2\/entity-person\/([A-Za-z0-9]+)\/([A-Za-z0-9]+)\/$/;
const MAX_SUBENTITY_LENGTH = 10;

const requestedAttributes = (list: string | undefined): string[] => {
  if (!list) throw new SimulatorError(400, 'attributes is required');
  const names = list.split(',');
  if (names.some((name) => !name)) throw new SimulatorError(400, 'attributes must not contain empty names');
  return [...new Set(names)];
};

export const handleEntityPerson = async (
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: { path: string; uen: string; uinfin: string; query: ReadonlyMap<string, string> },
): Promise<void> => {
  const auth = verifySignedRequest(ctx, {
    authorization: req.headers.authorization,
    method: 'GET',
    url: calledUrl(req, target.path),
    params: target.query,
  });
  if (!auth.bearer) throw new SimulatorError(401, 'Bearer access token is missing');
  if (target.query.get('client_id') !== auth.appId) {
    throw new SimulatorError(401, 'client_id does not match app_id');
  }
  const attributes = requestedAttributes(target.query.get('attributes'));
  const subentity = target.query.get('subentity');
  if (subentity !== undefined && (!subentity || subentity.length > MAX_SUBENTITY_LENGTH)) {
    throw new SimulatorError(400, `subentity must be 1 to ${MAX_SUBENTITY_LENGTH} characters`);
  }

  const grant = await ctx.tokens.verify(auth.bearer);
  if (`${target.uen}_${target.uinfin}` !== grant.subject) {
    throw new SimulatorError(401, 'UEN/UINFIN requested does not match the logged-in user');
  }
  const known = attributes.filter(isKnownAttribute);
  if (known.length < attributes.length) {
    const unknown = attributes.filter((name) => !isKnownAttribute(name));
    throw new SimulatorError(401, `attributes not available: ${unknown.join(',')}`);
  }
  const unconsented = known.filter((name) => !grant.scope.includes(name));
  if (unconsented.length) throw new SimulatorError(401, `attributes not consented: ${unconsented.join(',')}`);

  const persona = personaBySubject(grant.subject);
  if (!persona) throw new SimulatorError(404, 'no Myinfo Business record for this entity and person');
  const jwe = await signThenEncrypt(entityPersonPayload(persona, known), ctx.signingKey, ctx.clientKey);
  res.writeHead(200, { 'Content-Type': 'application/jose', 'Cache-Control': 'no-store' });
  res.end(jwe);
};
