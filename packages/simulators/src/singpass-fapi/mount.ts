import type { IncomingMessage } from 'node:http';

/**
 * Singpass's issuer identifier has a path (`https://id.singpass.gov.sg/fapi`) and every endpoint
 * sits under it. oidc-provider routes on paths without that prefix and, when building its own
 * URLs, puts back whatever prefix `req.originalUrl` shows was taken off (the Express mounting
 * convention), so the prefix is taken off here and recorded there.
 */
export const MOUNT_PATH = '/fapi';

/** Endpoint paths below the mount path; the discovery document names them in full. */
export const ROUTES = {
  authorization: '/auth',
  pushed_authorization_request: '/par',
  token: '/token',
  userinfo: '/userinfo',
  jwks: '/jwks',
} as const;

/** Login and consent pages, which the simulator serves itself beside the library. */
export const INTERACTION_PATH = `${MOUNT_PATH}/interaction/`;

/** The request as the library should see it, or undefined when it is not under the mount path. */
export const unmounted = (req: IncomingMessage): IncomingMessage | undefined => {
  const url = req.url ?? '/';
  if (!url.startsWith(`${MOUNT_PATH}/`)) return undefined;
  return Object.assign(req, { originalUrl: url, url: url.slice(MOUNT_PATH.length) });
};
