import { resetConfig } from '../shared/adapters/env.ts';
import { signAsInvokingFunction } from '../shared/adapters/invoking-function.ts';

/**
 * Points this process's AWS SDK clients and handlers at local services: a region, throwaway
 * credentials (the local endpoints check no signature, only whose access key id signed: the
 * operator's here, each function's own inside its invocations) and the given endpoint and
 * configuration variables. Shared by `npm start`, the admin command, the bench and the tests.
 */
export const useLocalEnvironment = (env: Record<string, string>): void => {
  signAsInvokingFunction();
  Object.assign(process.env, {
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...env,
  });
  resetConfig();
};
