import { setting } from '../../shared/adapters/env.ts';
import { secretsManagerSource } from '../../shared/adapters/secrets-manager.ts';
import { routedHandler } from '../../shared/http/handler.ts';
import { jsonResponse } from '../../shared/http/responses.ts';
import { publishedJwksFrom } from '../../shared/secrets/public-keys.ts';

// Public and identical for everyone; a short cache keeps rotation visible within minutes.
const PUBLIC_CACHE = { 'Cache-Control': 'public, max-age=300' };

/**
 * Published public keys, read from the public keys secret the key-rotation command writes: this
 * function may read no private key at all (its only grant is that secret).
 */
const publishedJwks = publishedJwksFrom(secretsManagerSource(), () =>
  setting('SECPASS_PUBLIC_KEYS_SECRET_ID'),
);

export const handler = routedHandler('jwks', {
  /** What apps verify Secpass tokens with. */
  'GET /.well-known/jwks.json': async () =>
    jsonResponse(200, { keys: await publishedJwks('secpass') }, PUBLIC_CACHE),
  /** What Singpass verifies our client assertions with and encrypts ID tokens to. */
  'GET /singpass/jwks': async () =>
    jsonResponse(200, { keys: await publishedJwks('singpass') }, PUBLIC_CACHE),
});
