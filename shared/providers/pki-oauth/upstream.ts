import * as z from 'zod/mini';
import { UpstreamFailed, type UpstreamFailure, type UpstreamName } from '../../core/errors.ts';
import { parseUpstreamJson, type UpstreamClient } from '../../core/upstream-client.ts';
import { decryptJwe, JoseRejected, verifyJws, verifyJwt } from '../../crypto/pinned-jose.ts';
import { pkiSignHeader } from '../../crypto/pki-sign.ts';
import type { PkiCredentials } from '../../secrets/pki-credentials.ts';

/**
 * The protocol Myinfo v3 speaks (and Myinfo Business v2 mirrors): a browser authorise step,
 * then a PKI_SIGN-signed token call and a PKI_SIGN + Bearer data call whose answer is a JWE
 * (RSA-OAEP, A256GCM) wrapping a JWS (RS256). A profile names the paths; the rest is shared.
 */
export interface PkiOAuthProfile {
  /** Shown in error messages, e.g. "Myinfo". */
  name: UpstreamName;
  baseUrl: string;
  /** Path of the data call for the access token's subject. */
  dataPath: (subject: string) => string;
  /** What a valid access-token subject looks like; it becomes part of the data URL. */
  subject: RegExp;
}

export interface Authorisation {
  clientId: string;
  attributes: string;
  purpose: string;
  state: string;
  redirectUri: string;
}

export const authoriseUrl = (profile: PkiOAuthProfile, request: Authorisation): string => {
  const url = new URL(`${profile.baseUrl}/authorise`);
  url.search = new URLSearchParams({
    client_id: request.clientId,
    attributes: request.attributes,
    purpose: request.purpose,
    state: request.state,
    redirect_uri: request.redirectUri,
  }).toString();
  return url.toString();
};

const TokenResponse = z.object({ access_token: z.string().check(z.minLength(1)) });

const rejectWith = async <T>(
  profile: PkiOAuthProfile,
  failure: UpstreamFailure,
  work: () => Promise<T>,
): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof JoseRejected) throw new UpstreamFailed(profile.name, failure, { cause: error });
    throw error;
  }
};

/** Exchanges the code and returns the verified access token and its subject. */
export const exchangeCode = async (
  http: UpstreamClient,
  profile: PkiOAuthProfile,
  credentials: PkiCredentials,
  grant: { code: string; state: string; redirectUri: string },
): Promise<{ accessToken: string; subject: string }> => {
  const url = `${profile.baseUrl}/token`;
  const params = {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectUri,
    client_id: credentials.clientId,
    client_secret: credentials.clientSecret,
    state: grant.state,
  };
  const response = await http.call(profile.name, url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'Cache-Control': 'no-cache',
      Authorization: pkiSignHeader(
        { method: 'POST', url, params, appId: credentials.clientId },
        credentials.signingKey,
      ),
    },
    body: new URLSearchParams(params).toString(),
  });
  const { access_token: accessToken } = parseUpstreamJson(profile.name, TokenResponse, response.body);
  const claims = await rejectWith(profile, 'bad_token', () =>
    verifyJwt(accessToken, credentials.upstreamKeys, 'RS256'),
  );
  if (typeof claims.sub !== 'string' || !profile.subject.test(claims.sub)) {
    throw new UpstreamFailed(profile.name, 'bad_token');
  }
  return { accessToken, subject: claims.sub };
};

/** Fetches the data for the token's subject; returns the verified payload bytes untouched. */
export const fetchData = async (
  http: UpstreamClient,
  profile: PkiOAuthProfile,
  credentials: PkiCredentials,
  request: { subject: string; accessToken: string; attributes: string; subentity?: string },
): Promise<Uint8Array> => {
  const url = `${profile.baseUrl}${profile.dataPath(request.subject)}`;
  const params: Record<string, string> = {
    client_id: credentials.clientId,
    attributes: request.attributes,
    ...(request.subentity ? { subentity: request.subentity } : {}),
  };
  const signature = pkiSignHeader(
    { method: 'GET', url, params, appId: credentials.clientId },
    credentials.signingKey,
  );
  const response = await http.call(profile.name, `${url}?${new URLSearchParams(params)}`, {
    method: 'GET',
    headers: { Authorization: `${signature},Bearer ${request.accessToken}`, 'Cache-Control': 'no-cache' },
  });
  const jwe = response.body.trim();
  const jws = await rejectWith(profile, 'bad_encryption', () =>
    decryptJwe(jwe, credentials.privateKeys, 'RSA-OAEP', 'A256GCM'),
  );
  const payload = await rejectWith(profile, 'bad_signature', () =>
    verifyJws(new TextDecoder().decode(jws), credentials.upstreamKeys, 'RS256'),
  );
  assertJsonObject(profile, payload);
  return payload;
};

const assertJsonObject = (profile: PkiOAuthProfile, payload: Uint8Array): void => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new UpstreamFailed(profile.name, 'bad_response');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UpstreamFailed(profile.name, 'bad_response');
  }
};
