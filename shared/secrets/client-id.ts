/**
 * A registration's client id as the configuration gives it: the value, when set, and the name of
 * the setting that would set it (for the operator's message when neither it nor a secret does).
 */
export interface ConfiguredClientId {
  value: string | undefined;
  setting: string;
}

/** A client id neither the configuration nor (for a function that reads it anyway) the secret names. */
export class MissingClientIdError extends Error {
  override readonly name = 'MissingClientIdError';
  readonly code = 'missing_client_id';
  constructor(readonly setting: string) {
    super(`environment variable ${setting} is not set: the stack sets it from CDK context`);
  }
}

/**
 * A registration's client id. It is not secret, so it is configuration, and a function that only
 * builds an authorise URL reads no secret to learn it. A secret written before the id moved may
 * still carry one: a function that reads that secret anyway falls back to it, so an older
 * deployment keeps working until its configuration names the id.
 */
export const clientIdOf = (configured: ConfiguredClientId, fromSecret?: string): string => {
  const id = configured.value ?? fromSecret;
  if (id === undefined) throw new MissingClientIdError(configured.setting);
  return id;
};
