/**
 * The API contract: "If a sandbox instance is provided, there will be no API key required." A
 * sandbox deployment serves calls that carry no Authorization header as one designated app, whose
 * record (callbacks, public key, settings) is an ordinary app's, so its tokens are sealed as any
 * app's are. Two variables must agree before a keyless call is served: SECPASS_ENVIRONMENT, which
 * only a sandbox stack (or `npm start -- --sandbox`) sets to `sandbox`, and SECPASS_SANDBOX_APP_ID.
 * A test or prod function given the app id by hand therefore still refuses keyless calls.
 */

/** What `newAppId` makes: `app_` and 32 hex digits. */
export const APP_ID_PATTERN = /^app_[0-9a-f]{32}$/;

export const SANDBOX_ENVIRONMENT = 'sandbox';

/** The variables a sandbox deployment gives its functions. */
export const sandboxEnvironment = (appId: string): Record<string, string> => ({
  SECPASS_ENVIRONMENT: SANDBOX_ENVIRONMENT,
  SECPASS_SANDBOX_APP_ID: appId,
});

/**
 * The app keyless calls act as, or undefined when this deployment requires a key of every call.
 * Read at each call rather than cached: it is two variable lookups, and the local stack turns it
 * on once its demo apps exist.
 */
export const sandboxAppId = (): string | undefined => {
  const appId = process.env.SECPASS_SANDBOX_APP_ID;
  if (process.env.SECPASS_ENVIRONMENT !== SANDBOX_ENVIRONMENT || !appId) return undefined;
  return APP_ID_PATTERN.test(appId) ? appId : undefined;
};
