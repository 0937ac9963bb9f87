import { CompactEncrypt, CompactSign, importJWK, type JWK, SignJWT } from 'jose';
import { setting } from '../config/env.ts';
import { loadSigningKeys } from '../secrets/signing-keys.ts';

/** The app a data token is sealed for: its id binds the token, its key encrypts it. */
export interface TokenRecipient {
  appId: string;
  publicJwk: JWK;
}

/**
 * The Secpass token for data-bearing flows: a compact JWS (ES256, kid) over the upstream's
 * payload bytes exactly as received, encrypted as compact JWE (ECDH-ES, A256GCM) to the app's
 * EC P-256 public key so only that app can read it. The payload is the upstream's, so the binding
 * to this app and this moment (`aud`, `iss`, `iat`, `exp`) goes in the JWS's protected header,
 * which the signature covers: a JWS one app decrypted cannot be passed off to another.
 */
export const sealDataToken = async (payload: Uint8Array, app: TokenRecipient): Promise<string> => {
  const { current } = await loadSigningKeys();
  const iat = Math.floor(Date.now() / 1000);
  const jws = await new CompactSign(payload)
    .setProtectedHeader({
      alg: 'ES256',
      kid: current.kid,
      iss: setting('SECPASS_ISSUER'),
      aud: app.appId,
      iat,
      exp: iat + setting('SECPASS_TOKEN_TTL_SECONDS'),
    })
    .sign(current.key);
  const appPublicJwk = app.publicJwk;
  const recipient = await importJWK(appPublicJwk, 'ECDH-ES');
  return new CompactEncrypt(new TextEncoder().encode(jws))
    .setProtectedHeader({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      cty: 'JWT',
      ...(appPublicJwk.kid ? { kid: appPublicJwk.kid } : {}),
    })
    .encrypt(recipient);
};

/**
 * The Secpass login token: a JWS ES256 naming the person only by Singpass UUID (`u=<uuid>`),
 * never by NRIC/FIN, for one app (`aud`), short-lived.
 */
export const signLoginToken = async (uuid: string, appId: string): Promise<string> => {
  const { current } = await loadSigningKeys();
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: current.kid, typ: 'JWT' })
    .setSubject(`u=${uuid}`)
    .setIssuer(setting('SECPASS_ISSUER'))
    .setAudience(appId)
    .setIssuedAt()
    .setExpirationTime(`${setting('SECPASS_TOKEN_TTL_SECONDS')}s`)
    .sign(current.key);
};
