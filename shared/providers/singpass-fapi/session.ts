import { randomBytes } from 'node:crypto';
import { type CryptoKey, decodeProtectedHeader, exportJWK, importJWK } from 'jose';
import * as client from 'openid-client';
import type { FapiSession } from '../../core/auth-state.ts';
import { UpstreamFailed, type UpstreamName } from '../../core/errors.ts';
import { expiringProof, type FapiClients, ID_TOKEN_CONTENT_ENCRYPTION } from './configuration.ts';
import { asUpstreamError } from './upstream-errors.ts';

/**
 * One Singpass FAPI 2.0 authentication session, by openid-client: a Pushed Authorization Request
 * (PKCE S256, state, nonce) made with a DPoP key pair minted for this session alone, then the
 * code exchange and the userinfo call proven with the same key.
 */

const upstreamCall = async <T>(upstream: UpstreamName, call: () => Promise<T>): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    throw asUpstreamError(upstream, error);
  }
};

export interface PushedAuthorization {
  /** The authorization endpoint with only `client_id` and the `request_uri` Singpass issued. */
  url: string;
  /** Kept with the state until the code is exchanged. */
  fapi: FapiSession;
}

export interface AuthorizationRequest {
  /** The Singpass registration (Login app or Myinfo app) the request is made as. */
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  /** Parameters only some registrations send, such as a Login app's authentication context. */
  extra?: Record<string, string>;
}

const dpopHandle = (config: client.Configuration, keyPair: client.CryptoKeyPair) =>
  client.getDPoPHandle(config, keyPair, expiringProof);

export const pushAuthorization = async (
  clients: FapiClients,
  upstream: UpstreamName,
  request: AuthorizationRequest,
): Promise<PushedAuthorization> =>
  upstreamCall(upstream, async () => {
    const config = await clients.forClient(request.clientId);
    const codeVerifier = client.randomPKCECodeVerifier();
    const nonce = randomBytes(32).toString('base64url');
    const dpopKeys = await client.randomDPoPKeyPair('ES256', { extractable: true });
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        ...request.extra,
        response_type: 'code',
        redirect_uri: request.redirectUri,
        scope: request.scope,
        state: request.state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      },
      { DPoP: dpopHandle(config, dpopKeys) },
    );
    return {
      url: url.toString(),
      fapi: {
        clientId: request.clientId,
        codeVerifier,
        nonce,
        dpopKey: {
          privateJwk: await exportJWK(dpopKeys.privateKey),
          publicJwk: await exportJWK(dpopKeys.publicKey),
        },
      },
    };
  });

export interface RedeemedCode {
  /** The ID token's subject: the person's Singpass UUID. */
  subject: string;
  /** Fetches the userinfo with the DPoP-bound access token: the inner JWS payload, byte for byte. */
  userinfo(): Promise<Uint8Array>;
}

const sessionDpop = async (config: client.Configuration, { privateJwk, publicJwk }: FapiSession['dpopKey']) =>
  dpopHandle(config, {
    privateKey: (await importJWK(privateJwk, 'ES256')) as CryptoKey,
    publicKey: (await importJWK(publicJwk, 'ES256')) as CryptoKey,
  });

/** Encryption is Singpass's promise: a plain JWS, however well signed, is not what it sends. */
const requireEncrypted = (upstream: UpstreamName, inner: string | undefined): string => {
  if (inner === undefined) throw new UpstreamFailed(upstream, 'bad_encryption');
  return inner;
};

/** Singpass encrypts its ID tokens with A256CBC-HS512 alone; A256GCM is for userinfo. */
const requireIdTokenEncryption = (upstream: UpstreamName, idToken: string | undefined) => {
  let enc: unknown;
  try {
    enc = decodeProtectedHeader(idToken ?? '').enc;
  } catch {
    enc = undefined;
  }
  if (enc !== ID_TOKEN_CONTENT_ENCRYPTION) throw new UpstreamFailed(upstream, 'bad_encryption');
};

/** Under FAPI 2.0 the subject is the bare Singpass UUID; anything else is not Singpass's token. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Exchanges the code (private_key_jwt, PKCE verifier, DPoP proof with the session's key), then
 * requires the ID token to have been encrypted to us, signed by the issuer and to carry our nonce.
 */
export const redeemCode = async (
  clients: FapiClients,
  upstream: UpstreamName,
  session: { state: string; redirectUri: string; fapi: FapiSession },
  code: string,
): Promise<RedeemedCode> =>
  upstreamCall(upstream, async () => {
    const config = await clients.forClient(session.fapi.clientId);
    const DPoP = await sessionDpop(config, session.fapi.dpopKey);
    // The app hands us only code and state; the callback URL openid-client checks is rebuilt from them.
    const callback = new URL(session.redirectUri);
    callback.searchParams.set('code', code);
    callback.searchParams.set('state', session.state);
    const metadata = config.serverMetadata();
    if (metadata.authorization_response_iss_parameter_supported) {
      callback.searchParams.set('iss', metadata.issuer);
    }
    const tokens = await client.authorizationCodeGrant(
      config,
      callback,
      {
        pkceCodeVerifier: session.fapi.codeVerifier,
        expectedNonce: session.fapi.nonce,
        expectedState: session.state,
        idTokenExpected: true,
      },
      undefined,
      { DPoP },
    );
    requireEncrypted(upstream, client.getDecryptedResponses(tokens)?.id_token?.token_endpoint);
    requireIdTokenEncryption(upstream, tokens.id_token);
    const claims = tokens.claims();
    if (!claims || !UUID.test(claims.sub)) throw new UpstreamFailed(upstream, 'bad_token');
    return {
      subject: claims.sub,
      userinfo: () =>
        upstreamCall(upstream, async () => {
          const answer = await client.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP });
          const jws = requireEncrypted(upstream, client.getDecryptedResponses(answer));
          return Buffer.from(jws.split('.')[1] ?? '', 'base64url');
        }),
    };
  });
