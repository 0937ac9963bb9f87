import type { FunctionName } from './routes.ts';

/**
 * What each function may touch: the CDK stack grants exactly this and nothing more, and the local
 * runtime's Secrets Manager endpoint and DynamoDB guard refuse whatever it leaves out, so a local
 * run proves the grants are enough. Kept free of CDK imports for the local runtime's sake.
 */

/** The deployment's secrets, split by who needs them (see README, "Secrets"). */
export const SECRET_NAMES = [
  'signing',
  'publicKeys',
  'stateKeys',
  'myinfo',
  'myinfobiz',
  'sgverify',
  'singpass',
  'cpfhub',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:Query';

export interface FunctionAccess {
  table: readonly TableAction[];
  secrets: readonly SecretName[];
}

export const ACCESS: Record<FunctionName, FunctionAccess> = {
  authorizer: { table: ['dynamodb:GetItem'], secrets: [] },
  'authorise-init': {
    table: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    // SG-Verify: its QR URLs are signed with our private key. Singpass: a FAPI 2.0 start pushes an
    // authorisation request signed with our relying-party key. State keys: a pending flow's DPoP
    // key and PKCE verifier are sealed. Client ids come from configuration.
    secrets: ['sgverify', 'singpass', 'stateKeys'],
  },
  'token-exchange': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    secrets: ['singpass', 'signing', 'cpfhub', 'stateKeys'],
  },
  'person-fetch': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:DeleteItem'],
    // Singpass: Myinfo v5 comes through the Singpass FAPI 2.0 relying party.
    secrets: ['myinfo', 'myinfobiz', 'signing', 'singpass', 'stateKeys'],
  },
  'sgverify-callback': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
    secrets: ['sgverify', 'signing'],
  },
  'cpfhub-proxy': {
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
    secrets: ['cpfhub'],
  },
  // Public halves only: it never holds a grant on a private key.
  jwks: { table: [], secrets: ['publicKeys'] },
};

export const READ_ACTIONS: ReadonlySet<TableAction> = new Set(['dynamodb:GetItem', 'dynamodb:Query']);
