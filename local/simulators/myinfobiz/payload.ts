import type { KeyObject } from 'node:crypto';
import { CompactEncrypt, CompactSign } from 'jose';
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

export const signThenEncrypt = async (
  payload: object,
  signingKey: KeyObject,
  recipientKey: KeyObject,
): Promise<string> => {
  const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'RS256' })
    .sign(signingKey);
  return new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM' })
    .encrypt(recipientKey);
};
