import { isEntityAttribute, isPersonAttribute, type JsonObject, type KnownAttribute } from './data-items.ts';
import type { MyinfoBizPersona } from './personas.ts';

/**
 * The entity-person answer: `{ entity, person }` holding exactly the requested attributes, signed
 * (JWS RS256, our key) and then encrypted to the client (JWE RSA-OAEP / A256GCM), the order the
 * Myinfo spec gives so the signed payload can be passed on and verified by a third party.
 */
export const entityPersonPayload = (
  persona: MyinfoBizPersona,
  attributes: readonly KnownAttribute[],
): { entity: Record<string, JsonObject>; person: Record<string, JsonObject> } => {
  const entity: Record<string, JsonObject> = {};
  const person: Record<string, JsonObject> = {};
  for (const name of attributes) {
    if (isEntityAttribute(name)) entity[name] = persona.entity[name];
    else if (isPersonAttribute(name)) person[name] = persona.person[name];
  }
  return { entity, person };
};
