import { CompactEncrypt, CompactSign, type CryptoKey, importJWK, type JWK, SignJWT } from 'jose';
import type { Clock, SecretSource } from '../core/ports.ts';
import { signingKeysFrom } from '../secrets/signing-keys.ts';

export interface TokenConfig {
  /** `iss` of Secpass tokens: the public base URL of this deployment. */
  issuer: string;
  ttlSeconds: number;
  signingSecretId: () => string;
}

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
const sealDataToken = async (signer: Signer, payload: Uint8Array, app: TokenRecipient): Promise<string> => {
  const { current } = await signer.keys();
  const iat = signer.clock.nowSeconds();
  const jws = await new CompactSign(payload)
    .setProtectedHeader({
      alg: 'ES256',
      kid: current.kid,
      iss: signer.config.issuer,
      aud: app.appId,
      iat,
      exp: iat + signer.config.ttlSeconds,
    })
    .sign(current.key);
  const appPublicJwk = app.publicJwk;
  const recipient = await signer.recipientKey(appPublicJwk);
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
const signLoginToken = async (signer: Signer, uuid: string, appId: string): Promise<string> => {
  const { current } = await signer.keys();
  const iat = signer.clock.nowSeconds();
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: current.kid, typ: 'JWT' })
    .setSubject(`u=${uuid}`)
    .setIssuer(signer.config.issuer)
    .setAudience(appId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + signer.config.ttlSeconds)
    .sign(current.key);
};

interface Signer {
  config: TokenConfig;
  clock: Clock;
  keys: ReturnType<typeof signingKeysFrom>;
  recipientKey: (publicJwk: JWK) => Promise<CryptoKey | Uint8Array>;
}

/** Apps a warm container seals for, each by its current key; beyond this many the cache starts over. */
const RECIPIENT_KEYS_KEPT = 256;

/**
 * The app's public key imported once per container and key, not on every token: the record is
 * still read on every call, and a rotated key is a different key, imported when first sealed to.
 * Only the members that make the key name it, so nothing else in the record can pass for it.
 */
const recipientKeys = () => {
  const imported = new Map<string, Promise<CryptoKey | Uint8Array>>();
  return (publicJwk: JWK): Promise<CryptoKey | Uint8Array> => {
    const id = JSON.stringify([publicJwk.kty, publicJwk.crv, publicJwk.x, publicJwk.y]);
    let key = imported.get(id);
    if (!key) {
      if (imported.size >= RECIPIENT_KEYS_KEPT) imported.clear();
      key = importJWK(publicJwk, 'ECDH-ES');
      imported.set(id, key);
      key.catch(() => imported.delete(id));
    }
    return key;
  };
};

export interface TokenSealer {
  sealDataToken(payload: Uint8Array, app: TokenRecipient): Promise<string>;
  signLoginToken(uuid: string, appId: string): Promise<string>;
}

/** What issues Secpass tokens, from its configuration, the signing secret and the clock. */
export const tokenSealer = (
  config: TokenConfig,
  ports: { secrets: SecretSource; clock: Clock },
): TokenSealer => {
  const signer: Signer = {
    config,
    clock: ports.clock,
    keys: signingKeysFrom(ports.secrets, config.signingSecretId),
    recipientKey: recipientKeys(),
  };
  return {
    sealDataToken: (payload, app) => sealDataToken(signer, payload, app),
    signLoginToken: (uuid, appId) => signLoginToken(signer, uuid, appId),
  };
};
