import { randomBytes } from 'node:crypto';
import { type CryptoKey, exportJWK, importJWK } from 'jose';
import * as client from 'openid-client';
import { UpstreamError, type UpstreamName } from '../../http/errors.ts';
import type { FapiSession } from '../../store/state-store.ts';
import { fapiConfiguration } from './configuration.ts';
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

export const pushAuthorization = async (
  upstream: UpstreamName,
  request: { redirectUri: string; scope: string; state: string },
): Promise<PushedAuthorization> =>
  upstreamCall(upstream, async () => {
    const config = await fapiConfiguration();
    const codeVerifier = client.randomPKCECodeVerifier();
    const nonce = randomBytes(32).toString('base64url');
    const dpopKeys = await client.randomDPoPKeyPair('ES256', { extractable: true });
    const url = await client.buildAuthorizationUrlWithPAR(
      config,
      {
        response_type: 'code',
        redirect_uri: request.redirectUri,
        scope: request.scope,
        state: request.state,
        nonce,
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      },
      { DPoP: client.getDPoPHandle(config, dpopKeys) },
    );
    return {
      url: url.toString(),
      fapi: {
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

const dpopHandle = async (config: client.Configuration, { privateJwk, publicJwk }: FapiSession['dpopKey']) =>
  client.getDPoPHandle(config, {
    privateKey: (await importJWK(privateJwk, 'ES256')) as CryptoKey,
    publicKey: (await importJWK(publicJwk, 'ES256')) as CryptoKey,
  });

/** Encryption is Singpass's promise: a plain JWS, however well signed, is not what it sends. */
const requireEncrypted = (upstream: UpstreamName, inner: string | undefined): string => {
  if (inner === undefined) throw new UpstreamError(upstream, 'bad_encryption');
  return inner;
};

/**
 * Exchanges the code (private_key_jwt, PKCE verifier, DPoP proof with the session's key), then
 * requires the ID token to have been encrypted to us, signed by the issuer and to carry our nonce.
 */
export const redeemCode = async (
  upstream: UpstreamName,
  session: { state: string; redirectUri: string; fapi: FapiSession },
  code: string,
): Promise<RedeemedCode> =>
  upstreamCall(upstream, async () => {
    const config = await fapiConfiguration();
    const DPoP = await dpopHandle(config, session.fapi.dpopKey);
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
    const claims = tokens.claims();
    if (!claims) throw new UpstreamError(upstream, 'bad_token');
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
