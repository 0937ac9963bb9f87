import * as z from 'zod/mini';
import { UpstreamFailed } from '../../core/errors.ts';
import { parseUpstreamJson, type UpstreamClient } from '../../core/upstream-client.ts';
import type { CpfhubCredentials } from '../../secrets/cpfhub-credentials.ts';

/** CPFHub's OAuth 2.0 endpoints, as a confidential client (HTTP Basic) that also uses PKCE. */

export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state: string;
  codeChallenge: string;
}

const TokenResponse = z.object({
  access_token: z.string().check(z.minLength(1), z.maxLength(4096)),
  token_type: z.string().check(z.regex(/^bearer$/i)),
  expires_in: z.number().check(z.int(), z.positive()),
  refresh_token: z.string().check(z.minLength(1), z.maxLength(4096)),
  scope: z.optional(z.string()),
});

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** Seconds, as CPFHub said. */
  expiresIn: number;
  /** What CPFHub granted, which may be less than asked. */
  scope: string | undefined;
}

/** RFC 6749 §2.3.1: both parts form-encoded before they are joined. */
const basicAuth = ({ clientId, clientSecret }: CpfhubCredentials) =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString(
    'base64',
  )}`;

const isInvalidGrant = (status: number, body: string): boolean => {
  if (status !== 400) return false;
  try {
    return (JSON.parse(body) as { error?: unknown }).error === 'invalid_grant';
  } catch {
    return false;
  }
};

export interface CpfhubOAuthClient {
  authorizeUrl(request: AuthorizeRequest): string;
  /**
   * The token endpoint, for a code or a refresh token. `invalid_grant` (the code or refresh token
   * is used, expired, revoked, or the PKCE verifier does not match) is the caller's to interpret;
   * anything else that is not a token set is CPFHub's failure.
   */
  requestTokens(
    credentials: CpfhubCredentials,
    form: Record<string, string>,
  ): Promise<TokenSet | 'invalid_grant'>;
  /** RFC 7009: revoking the refresh token also ends the access tokens issued from it. */
  revokeRefreshToken(credentials: CpfhubCredentials, refreshToken: string): Promise<void>;
}

/** The client for CPFHub's OAuth endpoints under `oauthBaseUrl` (authorize, token, revoke). */
export const cpfhubOAuthClient = (oauthBaseUrl: string, http: UpstreamClient): CpfhubOAuthClient => {
  const endpoint = (name: 'authorize' | 'token' | 'revoke') => `${oauthBaseUrl.replace(/\/$/, '')}/${name}`;

  const postForm = (credentials: CpfhubCredentials, name: 'token' | 'revoke', form: Record<string, string>) =>
    http.send('CPFHub', endpoint(name), {
      method: 'POST',
      headers: {
        Authorization: basicAuth(credentials),
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: new URLSearchParams(form).toString(),
    });

  return {
    authorizeUrl: (request) => {
      const url = new URL(endpoint('authorize'));
      url.search = new URLSearchParams({
        response_type: 'code',
        client_id: request.clientId,
        redirect_uri: request.redirectUri,
        scope: request.scope,
        state: request.state,
        code_challenge: request.codeChallenge,
        code_challenge_method: 'S256',
      }).toString();
      return url.toString();
    },

    requestTokens: async (credentials, form) => {
      const { status, body } = await postForm(credentials, 'token', form);
      if (isInvalidGrant(status, body)) return 'invalid_grant';
      if (status !== 200) throw new UpstreamFailed('CPFHub', 'error_status', { upstreamStatus: status });
      const tokens = parseUpstreamJson('CPFHub', TokenResponse, body);
      return {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token,
        expiresIn: tokens.expires_in,
        scope: tokens.scope,
      };
    },

    revokeRefreshToken: async (credentials, refreshToken) => {
      const { status } = await postForm(credentials, 'revoke', {
        token: refreshToken,
        token_type_hint: 'refresh_token',
      });
      if (status !== 200) throw new UpstreamFailed('CPFHub', 'error_status', { upstreamStatus: status });
    },
  };
};

/**
 * Whether a token request that failed may still have taken effect at CPFHub: it left, but no
 * answer we could read came back (a reset, a timeout, an unreadable answer, or a 5xx, which a
 * gateway in front of CPFHub may send after CPFHub acted). A 4xx refusal means it did not act;
 * anything but an UpstreamFailed failed before the request left.
 */
export const mayHaveTakenEffect = (error: unknown): boolean => {
  if (!(error instanceof UpstreamFailed)) return false;
  if (error.failure !== 'error_status') return true;
  return error.upstreamStatus === undefined || error.upstreamStatus >= 500;
};
