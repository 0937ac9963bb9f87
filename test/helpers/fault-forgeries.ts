import { generateKeyPairSync } from 'node:crypto';
import type { ForgedAnswer } from '@secpass/simulators/fault-proxy';
import { mockpassKeys } from '@secpass/simulators/mockpass';
import { CompactEncrypt, CompactSign, importJWK, importX509, type JWK, SignJWT } from 'jose';

/**
 * Answers an attacker on the path (or a misconfigured upstream) could send: well-formed, addressed
 * to us, but signed or encrypted with keys nobody trusts. Each must be refused for what it is.
 */
const strangerRsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const utf8 = (text: string) => new TextEncoder().encode(text);

const jsonAnswer = (body: unknown): ForgedAnswer => ({
  status: 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const joseAnswer = (body: string): ForgedAnswer => ({
  status: 200,
  headers: { 'Content-Type': 'application/jose' },
  body,
});

/** Our relying-party key for Myinfo, Myinfo Business and SG-Verify locally (MockPass's bundled pair). */
const ourDataKey = () => importX509(mockpassKeys.relyingPartyCertificatePem, 'RSA-OAEP');

/** A Myinfo-family token answer whose RS256 access token a stranger signed. */
export const accessTokenSignedByStranger = async (subject: string): Promise<ForgedAnswer> => {
  const accessToken = await new SignJWT({ sub: subject, scope: ['name'] })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(strangerRsa.privateKey);
  return jsonAnswer({ access_token: accessToken, token_type: 'Bearer', expires_in: 1800 });
};

/** A Myinfo-family data answer encrypted to us as it should be, around a JWS a stranger signed. */
export const dataSignedByStranger = async (data: object): Promise<ForgedAnswer> => {
  const jws = await new CompactSign(utf8(JSON.stringify(data)))
    .setProtectedHeader({ alg: 'RS256' })
    .sign(strangerRsa.privateKey);
  const jwe = await new CompactEncrypt(utf8(jws))
    .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM' })
    .encrypt(await ourDataKey());
  return joseAnswer(jwe);
};

/** A Myinfo-family data answer encrypted to a stranger's key, which we cannot open. */
export const dataEncryptedToStranger = async (): Promise<ForgedAnswer> =>
  joseAnswer(
    await new CompactEncrypt(utf8('x.y.z'))
      .setProtectedHeader({ alg: 'RSA-OAEP', enc: 'A256GCM' })
      .encrypt(strangerRsa.publicKey),
  );

/** Our Singpass relying-party encryption key, as we publish it for Singpass to encrypt ID tokens to. */
const ourIdTokenKey = async (relyingPartyJwksUrl: string): Promise<JWK> => {
  const { keys } = (await (await fetch(relyingPartyJwksUrl)).json()) as { keys: JWK[] };
  const key = keys.find((jwk) => jwk.use === 'enc' && jwk.alg === 'ECDH-ES+A256KW');
  if (!key) throw new Error('the relying-party JWKS publishes no ECDH-ES+A256KW key');
  return key;
};

export interface IdTokenClaims {
  issuer: string;
  clientId: string;
}

const idTokenSignedWith = (claims: IdTokenClaims) =>
  new SignJWT({ nonce: 'not-checked-before-the-signature' })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setIssuer(claims.issuer)
    .setAudience(claims.clientId)
    .setSubject('s=S9812381D,u=b6cb9308-733b-42b3-ad38-9b5afc890206')
    .setIssuedAt()
    .setExpirationTime('2m')
    .sign(strangerEc.privateKey);

const idTokenAnswer = (idToken: string) =>
  jsonAnswer({ access_token: 'opaque', token_type: 'Bearer', id_token: idToken });

/** A Singpass token answer whose ID token is encrypted to our key, as it should be, but signed by a stranger. */
export const idTokenSignedByStranger = async (
  relyingPartyJwksUrl: string,
  claims: IdTokenClaims,
): Promise<ForgedAnswer> => {
  const ours = await ourIdTokenKey(relyingPartyJwksUrl);
  const jwe = await new CompactEncrypt(utf8(await idTokenSignedWith(claims)))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512', kid: ours.kid, cty: 'JWT' })
    .encrypt(await importJWK(ours, 'ECDH-ES+A256KW'));
  return idTokenAnswer(jwe);
};

/** A Singpass token answer whose ID token is encrypted to a stranger's key. */
export const idTokenEncryptedToStranger = async (claims: IdTokenClaims): Promise<ForgedAnswer> => {
  const jwe = await new CompactEncrypt(utf8(await idTokenSignedWith(claims)))
    .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256CBC-HS512', kid: 'not-ours' })
    .encrypt(strangerEc.publicKey);
  return idTokenAnswer(jwe);
};
