import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Whom an AWS call is made as. On Lambda every function is a process of its own with its own
 * role, so the SDK's default credentials are right and nothing here changes them. The local
 * runtime hosts every function in one process: it runs each invocation inside `runAsFunction`,
 * and once `signAsInvokingFunction` is on, SDK clients sign each call with an access key id naming
 * the invoking function, so the local endpoints can refuse what that function's grants would
 * refuse on AWS. Calls outside any invocation (the admin command, test setup) sign with the
 * environment's credentials, as an operator's would.
 */
const invocation = new AsyncLocalStorage<string>();
let perInvocation = false;

export const runAsFunction = <T>(functionName: string, run: () => T): T => invocation.run(functionName, run);

/** The function whose invocation this code runs in, when a local runtime said so. */
export const invokingFunction = (): string | undefined => invocation.getStore();

/** For the local runtime, before it creates any client. */
export const signAsInvokingFunction = (): void => {
  perInvocation = true;
};

/** DynamoDB Local takes access key ids of letters and digits only: the function's name without dashes. */
export const accessKeyIdOf = (functionName: string): string => functionName.replace(/[^A-Za-z0-9]/g, '');

/** Secret keys are never checked by the local endpoints, only the access key id names the caller. */
const credentialsOfThisCall = Object.assign(
  async () => {
    const functionName = invocation.getStore();
    return {
      accessKeyId: functionName ? accessKeyIdOf(functionName) : (process.env.AWS_ACCESS_KEY_ID ?? 'local'),
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    };
  },
  // Tells the SDK not to memoise: the answer differs per invocation, so it is asked on every call.
  { memoized: true },
);

/** Options for a new SDK client: the SDK's own credentials unless this process hosts several functions. */
export const awsClientOptions = (): { credentials?: typeof credentialsOfThisCall } =>
  perInvocation ? { credentials: credentialsOfThisCall } : {};
