import type { JWK } from 'jose';
import { createTokenChecks } from '../../packages/client/src/index.ts';

/** Who opens the token: the app's id (the `aud` it must carry) and the app's private key. */
export interface TokenOpener {
  appId: string;
  privateJwk: JWK;
}

/** The Secpass deployment: where its keys are published, and the `iss` its tokens carry. */
export interface SecpassIssuer {
  jwksUrl: string;
  issuer: string;
}

/**
 * Opens a data-bearing Secpass token in one call, for tests that hold an app's key but no
 * client: `@secpass/client` decrypts, verifies against the JWKS and checks the binding header.
 */
export const openSecpassToken = async (
  token: string,
  app: TokenOpener,
  secpass: SecpassIssuer,
): Promise<{ payload: Uint8Array; kid: string | undefined }> => {
  const checks = createTokenChecks({ appId: app.appId, privateKey: app.privateJwk, ...secpass });
  const { bytes, binding } = await checks.openDataToken(token);
  return { payload: bytes, kid: binding.kid };
};
