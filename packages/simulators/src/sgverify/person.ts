import type { IncomingMessage, ServerResponse } from 'node:http';
import { SimulatorError } from '../http.ts';
import type { JsonObject } from '../myinfobiz/data-items.ts';
import { signThenEncrypt } from '../sign-then-encrypt.ts';
import { authenticateDataCall, sendJose } from '../signed-api.ts';
import { isSgVerifyAttribute, type SgVerifyAttribute } from './attributes.ts';
import type { SgVerifyContext } from './context.ts';
import { personaByUuid, type SgVerifyPersona } from './personas.ts';

/**
 * GET /sgverify/v2/person/{uuid}/ with `Authorization: PKI_SIGN …,Bearer <token>`. As with Myinfo,
 * everything that makes the service refuse the call is a 401 (signature, token, a uuid that is
 * not the token's subject, attributes beyond its scope); only a malformed query is a 400. The
 * answer is a JWS (RS256, our key) inside a JWE (RSA-OAEP / A256GCM) to the partner's key.
 */
export const PERSON_PATH = /^\/sgverify\/v2\/person\/([^/]+)\/$/;
const personPayload = (
  persona: SgVerifyPersona,
  attributes: readonly SgVerifyAttribute[],
): Record<string, JsonObject> => Object.fromEntries(attributes.map((name) => [name, persona.person[name]]));

export const handlePerson = async (
  ctx: SgVerifyContext,
  req: IncomingMessage,
  res: ServerResponse,
  target: { path: string; uuid: string; query: ReadonlyMap<string, string> },
): Promise<void> => {
  const { grant, attributes } = await authenticateDataCall(ctx, req, target);
  if (target.uuid !== grant.subject) {
    throw new SimulatorError(401, "uuid requested does not match the access token's subject");
  }
  const outside = attributes.filter((name) => !isSgVerifyAttribute(name) || !grant.scope.includes(name));
  if (outside.length) {
    throw new SimulatorError(401, `attributes outside the access token's scope: ${outside.join(',')}`);
  }

  const persona = personaByUuid(grant.subject);
  if (!persona) throw new SimulatorError(404, 'no SG-Verify record for this uuid');
  const jwe = await signThenEncrypt(
    personPayload(persona, attributes.filter(isSgVerifyAttribute)),
    ctx.signingKey,
    ctx.clientKey,
  );
  sendJose(res, jwe);
};
