import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { MAX_PROOF_SECONDS } from './published-rules.ts';

/**
 * Singpass's rules for a `private_key_jwt` client assertion that the library leaves open. By the
 * time this runs the library has checked the signature, alg, `iss` (= client id, as `sub` names
 * the client), `exp` and a `jti`, and refuses a `jti` seen before.
 */
export const CLIENT_ASSERTION_ALGS = ['ES256', 'ES384', 'ES512'] as const;

export const assertSingpassClientAssertion = (
  ctx: KoaContextWithOIDC,
  claims: Record<string, unknown>,
  header: Record<string, unknown>,
): void => {
  if (header.typ !== 'JWT')
    throw new errors.InvalidClientAuth('the client assertion header must have typ "JWT"');
  if (claims.sub !== claims.iss) throw new errors.InvalidClientAuth('sub must be the client_id, like iss');
  // The library accepts the token endpoint's URL too; Singpass takes only its issuer identifier.
  if (claims.aud !== ctx.oidc.issuer) {
    throw new errors.InvalidClientAuth('aud must be the issuer identifier alone');
  }
  const { iat, exp } = claims;
  if (typeof iat !== 'number' || typeof exp !== 'number' || exp - iat > MAX_PROOF_SECONDS) {
    throw new errors.InvalidClientAuth(
      `the client assertion must carry iat and live at most ${MAX_PROOF_SECONDS} s`,
    );
  }
};
