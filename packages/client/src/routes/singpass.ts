import type { Call } from '../http.ts';
import { jsonOf } from '../http.ts';
import type { VerifiedLogin } from '../payloads.ts';
import type { TokenChecks } from '../tokens.ts';

export interface SingpassLogin extends VerifiedLogin {
  /** The login token as Secpass sent it (a JWS), should the app pass it on to its own services. */
  token: string;
}

export interface SingpassRoutes {
  /** `POST /oidc/singpass/authReqUri`: where to send the browser to log in. */
  authReqUri(): Promise<string>;
  /** `POST /oidc/singpass/userInfo`: the code and state your login callback received, as a verified login. */
  userInfo(authCode: string, state: string): Promise<SingpassLogin>;
}

export const singpassRoutes = (call: Call, tokens: TokenChecks): SingpassRoutes => ({
  authReqUri: async () => {
    const answer = await call({
      method: 'POST',
      path: '/oidc/singpass/authReqUri',
      json: { purpose: 'login' },
    });
    return (await jsonOf<{ authReqUri: string }>(answer)).authReqUri;
  },
  userInfo: async (authCode, state) => {
    const answer = await call({ method: 'POST', path: '/oidc/singpass/userInfo', json: { authCode, state } });
    const { token } = await jsonOf<{ token: string }>(answer);
    return { token, ...(await tokens.verifyLoginToken(token)) };
  },
});
