import { ACCESS, type SecretName } from '../infra/access.ts';
import { FUNCTION_NAMES, type FunctionName } from '../infra/routes.ts';
import { accessKeyIdOf } from '../shared/adapters/invoking-function.ts';
import { LOCAL_ACCOUNT } from './lambda-runtime.ts';

/**
 * The CDK stack's grants (infra/access.ts) as policies for the local endpoints. The local
 * runtime signs each function's calls with the function's name as access key id (see
 * shared/aws/invoking-function.ts): a function may do what its role may do on AWS and nothing
 * else. Any other caller is the operator (the admin command, test setup) and may do anything, as
 * an administrator may on AWS.
 */

/** May `caller` perform `action` (e.g. `dynamodb:PutItem`) on `resource` (a secret or table name)? */
export type AccessPolicy = (caller: string | undefined, action: string, resource: string) => boolean;

const isFunctionName = (caller: string | undefined): caller is FunctionName =>
  (FUNCTION_NAMES as readonly (string | undefined)[]).includes(caller);

/**
 * Who signed a request: the function whose access key id is in the SigV4 `Authorization` header
 * (`AWS4-HMAC-SHA256 Credential=<id>/<date>/…`), or that id itself for anyone else.
 */
export const callerOf = (authorization: string | undefined): string | undefined => {
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1];
  return FUNCTION_NAMES.find((name) => accessKeyIdOf(name) === accessKeyId) ?? accessKeyId;
};

/** AWS's wording, so a refusal reads locally as it would in CloudWatch. */
export const accessDeniedMessage = (
  caller: string | undefined,
  action: string,
  resourceArn: string,
): string =>
  `User: arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${caller ?? 'anonymous'}/${caller ?? 'anonymous'} ` +
  `is not authorized to perform: ${action} on resource: ${resourceArn} ` +
  `because no identity-based policy allows the ${action} action`;

/** What `secret.grantRead` gives a role: these two actions, on the granted secrets only. */
const SECRET_READ_ACTIONS = new Set(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']);

/** Secrets by their local names: `secretIds` maps each of the stack's secrets to its local name. */
export const secretsPolicy =
  (secretIds: Record<SecretName, string>): AccessPolicy =>
  (caller, action, secretName) => {
    if (!isFunctionName(caller)) return true;
    const granted = ACCESS[caller].secrets.map((name) => secretIds[name]);
    return SECRET_READ_ACTIONS.has(action) && granted.includes(secretName);
  };

/** The one table, by its local name: a function may use the actions it is granted on it. */
export const tablePolicy =
  (tableName: string): AccessPolicy =>
  (caller, action, table) => {
    if (!isFunctionName(caller)) return true;
    return table === tableName && (ACCESS[caller].table as readonly string[]).includes(action);
  };
