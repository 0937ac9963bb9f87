import { decodeJwt } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { ROUTES } from './mount.ts';
import { MAX_PROOF_SECONDS } from './published-rules.ts';

/**
 * What Singpass asks of a DPoP proof beyond RFC 9449, which the library does not check: an `exp`,
 * at most two minutes after `iat`, not yet reached by the issuer's clock. Runs before the library,
 * which then verifies the signature, `typ`, `jwk`, `htm`, `htu`, `iat`, `jti` and, at userinfo, `ath`.
 * Also: the token endpoint answers a request without any proof `invalid_request`, as Singpass documents.
 */
export interface DpopClock {
  /** Seconds the issuer's clock runs ahead when it judges a proof's `exp`. */
  skewSeconds: number;
}

const PROVEN_PATHS: ReadonlySet<string> = new Set([
  ROUTES.pushed_authorization_request,
  ROUTES.token,
  ROUTES.userinfo,
]);

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Why the proof falls short of Singpass's rules, or undefined when it does not (or cannot be read). */
const expiryProblem = (proof: string, now: number): string | undefined => {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(proof);
  } catch {
    return undefined; // malformed: the library's verification refuses it with its own words
  }
  const { iat, exp } = claims;
  if (typeof exp !== 'number') return 'the DPoP proof must carry a numeric exp';
  if (typeof iat === 'number' && exp - iat > MAX_PROOF_SECONDS) {
    return `the DPoP proof must live at most ${MAX_PROOF_SECONDS} s (exp - iat)`;
  }
  if (exp <= now) return 'the DPoP proof has expired';
  return undefined;
};

const refuse = (ctx: KoaContextWithOIDC, error: string, description: string) => {
  // Userinfo is a protected resource: it answers 401 with the challenge, as RFC 9449 has it.
  if (ctx.path === ROUTES.userinfo) {
    ctx.status = 401;
    ctx.set('WWW-Authenticate', `DPoP error="${error}", error_description="${description}"`);
  } else {
    ctx.status = 400;
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.body = { error, error_description: description };
};

export const enforceDpopExpiry =
  (clock: DpopClock) =>
  async (ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> => {
    if (!PROVEN_PATHS.has(ctx.path)) return next();
    const proof = ctx.get('DPoP');
    if (!proof) {
      if (ctx.path === ROUTES.token && ctx.method === 'POST') {
        return refuse(ctx, 'invalid_request', 'a DPoP proof is required');
      }
      return next();
    }
    const problem = expiryProblem(proof, nowSeconds() + clock.skewSeconds);
    if (problem) return refuse(ctx, 'invalid_dpop_proof', problem);
    return next();
  };
