import { httpHandler } from '../../shared/http/handler.ts';
import { jsonResponse } from '../../shared/http/responses.ts';
import { loadSigningKeys } from '../../shared/secrets/signing-keys.ts';

/** The public keys apps verify Secpass tokens with: every key not yet retired. */
export const handler = httpHandler(async () => {
  const { publicJwks } = await loadSigningKeys();
  // Public and identical for everyone; a short cache keeps rotation visible within minutes.
  return jsonResponse(200, { keys: publicJwks }, { 'Cache-Control': 'public, max-age=300' });
});
