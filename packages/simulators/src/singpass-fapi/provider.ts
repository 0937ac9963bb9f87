import { randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { accountFinder, claimsByScope, SUPPORTED_SCOPES } from './account.ts';
import { ACR_VALUES_SUPPORTED } from './assurance.ts';
import { assertSingpassClientAssertion, CLIENT_ASSERTION_ALGS } from './client-assertion.ts';
import { fetchClientJwks } from './client-jwks.ts';
import {
  type ClientRegistry,
  clientMetadataOf,
  ID_TOKEN_ENCRYPTION,
  USERINFO_ENCRYPTION_ENCS,
} from './clients.ts';
import { type DpopClock, enforceDpopExpiry } from './dpop-rules.ts';
import { type HeadlessLogins, personFromHeaders } from './login.ts';
import { memoryAdapterFactory } from './memory-adapter.ts';
import { INTERACTION_PATH, ROUTES } from './mount.ts';
import { SINGPASS_LIFETIMES } from './published-rules.ts';
import { renameToSingpassCodes } from './refusal-codes.ts';
import { pushedRequestRules } from './request-rules.ts';

/**
 * panva's oidc-provider configured as strictly as Singpass's FAPI 2.0 issuer: PAR only, PKCE S256,
 * DPoP on every call, private_key_jwt with short assertions aimed at the issuer, Singpass's own
 * request parameters, and ID tokens and userinfo signed ES256 then encrypted to the client's key.
 */

/** The test controls, read on every request. */
export interface IssuerControls extends DpopClock {
  dpopNonceRequired: boolean;
}

/** Singpass takes DPoP proofs signed with any of these. */
const DPOP_ALGS = ['ES256', 'ES384', 'ES512'] as const;

export interface IssuerSetup {
  issuer: string;
  registry: ClientRegistry;
  signingJwk: JWK;
  /** Who each subject (a Singpass uuid) is: the NRIC their data is found by. */
  nricOf(uuid: string): string | undefined;
  headless: HeadlessLogins;
  controls: IssuerControls;
}

export const createProvider = ({ issuer, registry, signingJwk, nricOf, headless, controls }: IssuerSetup) => {
  const configuration: Configuration = {
    adapter: memoryAdapterFactory(),
    clients: registry.all.map(clientMetadataOf),
    jwks: { keys: [signingJwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    routes: ROUTES,
    features: {
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      dPoP: {
        enabled: true,
        nonceSecret: randomBytes(32),
        requireNonce: () => controls.dpopNonceRequired,
      },
      encryption: { enabled: true },
      jwtUserinfo: { enabled: true },
      devInteractions: { enabled: false },
      rpInitiatedLogout: { enabled: false },
    },
    clientAuthMethods: ['private_key_jwt'],
    responseTypes: ['code'],
    assertJwtClientAuthClaimsAndHeader: (ctx, claims, header) =>
      assertSingpassClientAssertion(ctx, claims, header),
    extraParams: pushedRequestRules(registry),
    enabledJWA: {
      clientAuthSigningAlgValues: CLIENT_ASSERTION_ALGS,
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
      dPoPSigningAlgValues: DPOP_ALGS,
      idTokenEncryptionAlgValues: [ID_TOKEN_ENCRYPTION.alg],
      idTokenEncryptionEncValues: [ID_TOKEN_ENCRYPTION.enc],
      userinfoEncryptionAlgValues: ['ECDH-ES+A256KW'],
      userinfoEncryptionEncValues: [...USERINFO_ENCRYPTION_ENCS],
    },
    pkce: { required: () => true },
    fetch: fetchClientJwks,
    scopes: SUPPORTED_SCOPES,
    claims: claimsByScope(),
    // Scope claims go in the ID token too; the account decides which belong there and which in userinfo.
    conformIdTokenClaims: false,
    acrValues: ACR_VALUES_SUPPORTED,
    findAccount: accountFinder(registry, nricOf),
    interactions: {
      // The authorise request is the one that may name the person; the interaction comes after it.
      url: (ctx, interaction) => {
        const person = personFromHeaders(ctx.req);
        if (person) headless.remember(interaction.uid, person);
        return `${INTERACTION_PATH}${interaction.uid}`;
      },
    },
    ttl: {
      AccessToken: SINGPASS_LIFETIMES.accessToken,
      AuthorizationCode: SINGPASS_LIFETIMES.code,
      PushedAuthorizationRequest: SINGPASS_LIFETIMES.requestUri,
      Interaction: 600,
      Session: 600,
      Grant: 600,
      IdToken: 600,
    },
    renderError: (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  };
  const provider = new Provider(issuer, configuration);
  provider.use(renameToSingpassCodes);
  provider.use(enforceDpopExpiry(controls));
  return provider;
};
