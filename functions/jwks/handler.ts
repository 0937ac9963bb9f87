import { routedHandler } from '../../shared/http/handler.ts';
import { jsonResponse } from '../../shared/http/responses.ts';
import { loadSigningKeys } from '../../shared/secrets/signing-keys.ts';
import { loadSingpassKeys } from '../../shared/secrets/singpass-keys.ts';

// Public and identical for everyone; a short cache keeps rotation visible within minutes.
const PUBLIC_CACHE = { 'Cache-Control': 'public, max-age=300' };

/** Published public keys: every key not yet retired, never a private part. */
export const handler = routedHandler({
  /** What apps verify Secpass tokens with. */
  'GET /.well-known/jwks.json': async () =>
    jsonResponse(200, { keys: (await loadSigningKeys()).publicJwks }, PUBLIC_CACHE),
  /** What Singpass verifies our client assertions with and encrypts ID tokens to. */
  'GET /singpass/jwks': async () =>
    jsonResponse(200, { keys: (await loadSingpassKeys()).publicJwks }, PUBLIC_CACHE),
});
