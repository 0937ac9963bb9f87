import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * Bundled in place of `@aws-sdk/credential-provider-node`'s `defaultProvider` (infra/bundling.ts),
 * never imported by our code. Lambda hands a function its role's credentials in environment
 * variables, the first source that chain tries and the one it then keeps, so the chain's other
 * sources need not be parsed at every cold start. Where credentials come from a container
 * endpoint instead (as on runtimes that serve them that way), that provider is loaded then. The
 * local runtime and tests load the SDK unbundled and keep the whole chain.
 */
export const defaultProvider = (init: FromEnvInit = {}) => {
  if (process.env.AWS_ACCESS_KEY_ID === undefined && process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI) {
    return async () => (await import('@aws-sdk/credential-provider-http')).fromHttp(init)();
  }
  return fromEnv(init);
};
