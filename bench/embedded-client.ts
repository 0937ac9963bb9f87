import { createRequire } from 'node:module';
import {
  DecryptDataError,
  InvalidDataSignatureError,
  type IPerson,
  MyInfoGovClient,
  MyInfoMode,
  type MyInfoScope,
  WrongDataShapeError,
} from '@opengovsg/myinfo-gov-client';

/**
 * (b) of the bench: an app that embeds `@opengovsg/myinfo-gov-client` v4 and talks to Myinfo
 * itself, as an app would without Secpass: `getAccessToken` (PKI_SIGN-signed token call), then
 * `getPerson` (access-token verification, PKI_SIGN-signed person call, JWE decryption, JWS
 * verification), all with the client's own libraries (axios, node-jose, jsonwebtoken).
 *
 * One step is adapted, and only that step. The client expects the JWE's plaintext to be the JWS
 * as a JSON string (`"eyJ…"`, quotes included) and `JSON.parse`s it; MockPass 4.x encrypts the
 * compact JWS as it is, unquoted (opengovsg/mockpass#692), so the client's `_decryptJWE` fails
 * with DecryptDataError on every call. `_decryptJWE` is replaced below by the same steps with the
 * same libraries, resolved from the client's own install (node-jose builds a key store from the
 * PEM and decrypts; jsonwebtoken verifies RS256 with MockPass's certificate), except that a
 * plaintext that is not a JSON string is taken as the JWS itself. Real Myinfo quotes it, and then
 * this does exactly what the client does. Nothing is re-encrypted and no request is added, so
 * (b) does no more or less work than the unmodified client would against real Myinfo.
 */

interface NodeJose {
  JWK: { createKeyStore(): { add(key: string, form: 'pem'): Promise<unknown> } };
  JWE: { createDecrypt(keystore: unknown): { decrypt(jwe: string): Promise<{ payload: Buffer }> } };
}
interface JsonWebToken {
  verify(token: string, key: string, options: { algorithms: string[] }): unknown;
}

// The client's own copies (its nested jsonwebtoken 8, the node-jose it depends on), not ours.
const fromClient = createRequire(createRequire(import.meta.url).resolve('@opengovsg/myinfo-gov-client'));
const jose = fromClient('node-jose') as NodeJose;
const jsonwebtoken = fromClient('jsonwebtoken') as JsonWebToken;

/** The JWS inside the JWE: quoted as Myinfo sends it, or bare as MockPass 4.x does. */
const jwsOf = (plaintext: string): string =>
  plaintext.startsWith('"') ? (JSON.parse(plaintext) as string) : plaintext;

class MockPassMyInfoGovClient extends MyInfoGovClient {
  /** The last person JWE received, so the bench can time our own cryptography on the same material. */
  lastJwe = '';

  override async _decryptJWE(jwe: string): Promise<IPerson> {
    this.lastJwe = jwe;
    let jwt: string;
    try {
      const keystore = await jose.JWK.createKeyStore().add(this.clientPrivateKey, 'pem');
      const { payload } = await jose.JWE.createDecrypt(keystore).decrypt(jwe);
      jwt = jwsOf(payload.toString());
    } catch (error) {
      throw new DecryptDataError(error);
    }
    let decoded: unknown;
    try {
      decoded = jsonwebtoken.verify(jwt, this.myInfoPublicKey, { algorithms: ['RS256'] });
    } catch (error) {
      throw new InvalidDataSignatureError(error);
    }
    if (typeof decoded !== 'object' || decoded === null) throw new WrongDataShapeError();
    return decoded as IPerson;
  }
}

export interface EmbeddedClientOptions {
  /** MockPass's Myinfo v3 base, e.g. http://127.0.0.1:5156/myinfo/v3 (the client's mode picks no URL here). */
  myinfoBaseUrl: string;
  clientId: string;
  clientSecret: string;
  /** Our RSA private key (PEM), as the broker's Myinfo secret holds it. */
  privateKeyPem: string;
  /** MockPass's signing certificate (PEM). */
  myinfoCertificatePem: string;
  redirectUrl: string;
  attributes: readonly string[];
}

export interface EmbeddedApp {
  /** Where the person's browser goes to consent (outside the timed section). */
  authoriseUrl(state: string): string;
  /** The timed part: the code to the verified person, as the app would do it. */
  person(code: string): Promise<{ accessToken: string; uinFin: string; data: IPerson }>;
  /** The person JWE of the last `person` call. */
  lastJwe(): string;
}

export const embeddedMyinfoApp = (options: EmbeddedClientOptions): EmbeddedApp => {
  const client = new MockPassMyInfoGovClient({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    singpassEserviceId: 'SECPASS-BENCH',
    redirectEndpoint: options.redirectUrl,
    clientPrivateKey: options.privateKeyPem,
    myInfoPublicKey: options.myinfoCertificatePem,
    mode: MyInfoMode.Staging,
  });
  // The client knows only the three government bases; MockPass serves the same API under /myinfo/v3.
  client.baseAPIUrl = options.myinfoBaseUrl.replace(/\/+$/, '');
  const attributes = options.attributes as MyInfoScope[];
  return {
    authoriseUrl: (state) =>
      client.createRedirectURL({
        purpose: 'Secpass bench',
        requestedAttributes: attributes,
        relayState: state,
      }),
    person: async (code) => {
      const accessToken = await client.getAccessToken(code);
      const { uinFin, data } = await client.getPerson(accessToken, attributes);
      return { accessToken, uinFin, data };
    },
    lastJwe: () => client.lastJwe,
  };
};
