import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimulatorError } from '../http.ts';
import { signThenEncrypt } from '../sign-then-encrypt.ts';
import { authenticateDataCall, sendJose } from '../signed-api.ts';
import type { SimulatorContext } from './context.ts';
import { isKnownAttribute } from './data-items.ts';
import { entityPersonPayload } from './payload.ts';
import { personaBySubject } from './personas.ts';

/**
 * GET /biz/v2/entity-person/{uen}/{uinfin}/ with `Authorization: PKI_SIGN …,Bearer <token>`.
 * Everything that makes Myinfo refuse the call is a 401 there (signature, token, a path that is
 * not the logged-in user, attributes beyond the consent); only a malformed query is a 400.
 */
export const ENTITY_PERSON_PATH = /^\/biz\/v2\/entity-person\/([A-Za-z0-9]+)\/([A-Za-z0-9]+)\/$/;

export const handleEntityPerson = async (
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: { path: string; uen: string; uinfin: string; query: ReadonlyMap<string, string> },
): Promise<void> => {
  const { grant, attributes } = await authenticateDataCall(ctx, req, target);
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
  sendJose(res, await signThenEncrypt(entityPersonPayload(persona, known), ctx.signingKey, ctx.clientKey));
};
