import { type KeyObject, randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { SimulatorError } from './http.ts';

/**
 * The access token Myinfo Business hands out at /token and demands back as the Bearer on the
 * data call: an RS256 JWT whose subject is "<UEN>_<UINFIN>" and whose scope lists the
 * attributes the user consented to.
 */
export const ACCESS_TOKEN_LIFETIME_SECONDS = 600;

export interface AccessGrant {
  subject: string;
  scope: readonly string[];
}

export interface AccessTokens {
  issue(grant: AccessGrant): Promise<string>;
  /** Throws a 401 SimulatorError unless the token is ours, for this client, and unexpired. */
  verify(token: string): Promise<AccessGrant>;
}

export const createAccessTokens = (keys: {
  privateKey: KeyObject;
  publicKey: KeyObject;
  issuer: string;
  audience: string;
}): AccessTokens => ({
  issue: ({ subject, scope }) =>
    new SignJWT({ scope: [...scope] })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setSubject(subject)
      .setAudience(keys.audience)
      .setIssuer(keys.issuer)
      .setIssuedAt()
      .setExpirationTime(`${ACCESS_TOKEN_LIFETIME_SECONDS}s`)
      .setJti(randomUUID())
      .sign(keys.privateKey),

  async verify(token) {
    let claims: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ payload: claims } = await jwtVerify(token, keys.publicKey, {
        algorithms: ['RS256'],
        issuer: keys.issuer,
        audience: keys.audience,
        requiredClaims: ['sub', 'exp', 'iat', 'jti'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new SimulatorError(401, 'access token has expired');
      throw new SimulatorError(401, 'access token is invalid');
    }
    const { sub, scope } = claims;
    if (typeof sub !== 'string' || !Array.isArray(scope) || !scope.every((s) => typeof s === 'string')) {
      throw new SimulatorError(401, 'access token is invalid');
    }
    return { subject: sub, scope };
  },
});
