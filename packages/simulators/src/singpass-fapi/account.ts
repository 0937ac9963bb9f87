import type { Account, FindAccount } from 'oidc-provider';
import type { ClientRegistry, FapiClient } from './clients.ts';
import { personInfo } from './person-info.ts';
import { mobileNumberOf, type Persona, personaOf, textOf } from './personas.ts';
import { LOGIN_SCOPES, MYINFO_CATALOG_SCOPES } from './published-rules.ts';

/**
 * Who a subject is, as each kind of app sees them. The ID token carries `sub_type` and, for a
 * Login app, `sub_attributes` for the Login scopes granted; userinfo carries `person_info` for a
 * Myinfo app's catalog ids. Myinfo data never goes in the ID token, nor identity in userinfo.
 */

/**
 * Which claims each scope may release, for oidc-provider's filter. `name`, `email` and `mobileno`
 * are both Login scopes and catalog ids; the app's type decides what they release.
 */
export const claimsByScope = (): Record<string, string[]> => {
  const byScope = new Map<string, Set<string>>([['openid', new Set(['sub', 'sub_type', 'acr', 'amr'])]]);
  const release = (scope: string, claim: string) => {
    const claims = byScope.get(scope) ?? new Set<string>();
    byScope.set(scope, claims.add(claim));
  };
  for (const scope of LOGIN_SCOPES) release(scope, 'sub_attributes');
  for (const scope of MYINFO_CATALOG_SCOPES) release(scope, 'person_info');
  return Object.fromEntries([...byScope].map(([scope, claims]) => [scope, [...claims]]));
};

export const SUPPORTED_SCOPES = ['openid', ...new Set([...LOGIN_SCOPES, ...MYINFO_CATALOG_SCOPES])];

/** Singpass's `sub_attributes`: identity for `user.identity`, and one field per other Login scope. */
const subAttributes = (nric: string, persona: Persona, scopes: ReadonlySet<string>) => {
  const attributes: Record<string, string> = {};
  if (scopes.has('user.identity')) {
    // MockPass's personas are all citizens, residents or FIN holders: none has a foreign account.
    Object.assign(attributes, { account_type: 'standard', identity_number: nric, identity_coi: 'SG' });
  }
  const fields = {
    name: textOf(persona.name),
    email: textOf(persona.email),
    mobileno: mobileNumberOf(persona),
  };
  for (const [scope, value] of Object.entries(fields)) {
    if (scopes.has(scope) && value !== undefined) attributes[scope] = value;
  }
  return Object.keys(attributes).length > 0 ? attributes : undefined;
};

const idTokenClaims = (
  sub: string,
  nric: string,
  persona: Persona,
  app: FapiClient | undefined,
  scope: string,
) => {
  const attributes =
    app?.appType === 'login' ? subAttributes(nric, persona, new Set(scope.split(' '))) : undefined;
  return { sub, sub_type: 'user', ...(attributes ? { sub_attributes: attributes } : {}) };
};

const userinfoClaims = (sub: string, persona: Persona, app: FapiClient | undefined, scope: string) =>
  app?.appType === 'myinfo' ? { sub, person_info: personInfo(persona, scope) } : { sub };

export const accountFinder =
  (registry: ClientRegistry, nricOf: (uuid: string) => string | undefined): FindAccount =>
  (ctx, sub): Account | undefined => {
    const nric = nricOf(sub);
    const persona = nric === undefined ? undefined : personaOf(nric);
    if (nric === undefined || persona === undefined) return undefined;
    const app = registry.find(ctx.oidc.client?.clientId);
    return {
      accountId: sub,
      claims: (use, scope) =>
        use === 'id_token'
          ? idTokenClaims(sub, nric, persona, app, scope)
          : userinfoClaims(sub, persona, app, scope),
    };
  };
