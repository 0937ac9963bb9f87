import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { useLocalEnvironment } from '../local/local-environment.ts';
import { epochSeconds } from '../shared/secrets/private-ec-jwk.ts';
import {
  describeKeySet,
  isKeySet,
  KEY_SETS,
  type KeySet,
  pruneKeySet,
  type Rotation,
  rotateKeySet,
} from '../shared/secrets/rotation.ts';

/**
 * `npm run keys -- <rotate|prune|list> <key-set>`: rotates the keys in one of our secrets with no
 * failed request, on AWS (the secret from --secret-id or the functions' environment variable;
 * credentials and region from the usual AWS environment) or with --local in a running `npm start`.
 * Prints kids and dates, never key material.
 */
const USAGE = `usage:
  npm run keys -- rotate <key-set> [--local] [--secret-id ID] [--publish-lead SECONDS]
  npm run keys -- prune <key-set> [--local] [--secret-id ID]
  npm run keys -- list <key-set> [--local] [--secret-id ID]
key sets: ${KEY_SETS.join(', ')}
  rotate  adds a new current key, schedules the previous ones to retire, drops those past their date;
          a new signing key is published --publish-lead seconds before it signs (default 300 for
          secpass-signing: apps cache our JWKS up to its max-age; 3600 for singpass-rp and
          singpass-fapi: Singpass caches it up to an hour)
  prune   only drops keys past their retire date
options: --local      the secrets of a running \`npm start\` (reads .local/demo-app.json)
         --secret-id  the secret's name or ARN; default: SECPASS_SIGNING_SECRET_ID, SINGPASS_SECRET_ID
                      or CPFHUB_SECRET_ID, as the functions use`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where each key set lives: the functions' environment variable, and the id in a local stack. */
const SECRET_OF: Record<KeySet, { variable: string; local: 'signing' | 'singpass' | 'cpfhub' }> = {
  'secpass-signing': { variable: 'SECPASS_SIGNING_SECRET_ID', local: 'signing' },
  'singpass-rp': { variable: 'SINGPASS_SECRET_ID', local: 'singpass' },
  'singpass-fapi': { variable: 'SINGPASS_SECRET_ID', local: 'singpass' },
  'cpfhub-token': { variable: 'CPFHUB_SECRET_ID', local: 'cpfhub' },
};

const LocalStackFile = z.object({
  secretsUrl: z.url(),
  secretIds: z.record(z.string(), z.string()),
});

/** Points this process at the running `npm start`'s secrets endpoint; returns the key set's secret id there. */
const useLocalSecrets = (keySet: KeySet): string => {
  const file = join(process.env.SECPASS_LOCAL_DIR ?? '.local', 'demo-app.json');
  if (!existsSync(file)) throw new UsageError(`--local needs a running \`npm start\` (no ${file})`);
  const local = LocalStackFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  useLocalEnvironment({ AWS_ENDPOINT_URL_SECRETS_MANAGER: local.secretsUrl });
  const secretId = local.secretIds[SECRET_OF[keySet].local];
  if (!secretId) throw new UsageError(`${file} names no ${SECRET_OF[keySet].local} secret`);
  return secretId;
};

const secretIdFromEnvironment = (keySet: KeySet): string => {
  const { variable } = SECRET_OF[keySet];
  const secretId = process.env[variable];
  if (!secretId) throw new UsageError(`give --secret-id or set ${variable}`);
  return secretId;
};

const readSecretString = async (client: SecretsManagerClient, secretId: string) =>
  (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;

/** What is printed of a rotation: everything but the secret itself. */
const summary = ({ secret: _secret, ...rest }: Rotation) => rest;

/**
 * Reads the secret, rotates it and writes it back as its new current version. The CLI and the
 * tests go through here. Not atomic: two rotations of one secret at once would lose one (run one).
 */
export const rotateSecret = async (keySet: KeySet, secretId: string, publishLead?: number) => {
  const client = new SecretsManagerClient({});
  const rotation = await rotateKeySet(keySet, await readSecretString(client, secretId), {
    now: epochSeconds(),
    publishLead,
  });
  await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: rotation.secret }));
  return { keySet, secretId, ...summary(rotation) };
};

export const pruneSecret = async (keySet: KeySet, secretId: string) => {
  const client = new SecretsManagerClient({});
  const pruned = pruneKeySet(keySet, await readSecretString(client, secretId), epochSeconds());
  if (pruned.dropped.length > 0) {
    await client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: pruned.secret }));
  }
  return { keySet, secretId, ...summary(pruned) };
};

export const listKeys = async (keySet: KeySet, secretId: string) => {
  const secret = await readSecretString(new SecretsManagerClient({}), secretId);
  return { keySet, secretId, keys: describeKeySet(keySet, secret, epochSeconds()) };
};

const publishLeadOption = (raw: string | undefined): number | undefined => {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(seconds)) {
    throw new UsageError('--publish-lead must be a whole number of seconds');
  }
  return seconds;
};

/** Parses the arguments and runs one command; returns what to print. */
export const runKeysCommand = async (args: string[]): Promise<unknown> => {
  let parsed: ReturnType<typeof parseKeysArgs>;
  try {
    parsed = parseKeysArgs(args);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values: options, positionals } = parsed;
  const [command, keySet, ...extra] = positionals;
  if (!command) throw new UsageError('no command');
  if (!['rotate', 'prune', 'list'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  if (!keySet || !isKeySet(keySet))
    throw new UsageError(keySet ? `unknown key set "${keySet}"` : 'no key set');
  if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"`);
  const localSecretId = options.local ? useLocalSecrets(keySet) : undefined;
  const secretId = options['secret-id'] ?? localSecretId ?? secretIdFromEnvironment(keySet);
  if (command !== 'rotate' && options['publish-lead'] !== undefined) {
    throw new UsageError('--publish-lead applies to rotate only');
  }
  switch (command) {
    case 'rotate':
      return rotateSecret(keySet, secretId, publishLeadOption(options['publish-lead']));
    case 'prune':
      return pruneSecret(keySet, secretId);
    case 'list':
      return listKeys(keySet, secretId);
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
};

const parseKeysArgs = (args: string[]) =>
  parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      local: { type: 'boolean', default: false },
      'secret-id': { type: 'string' },
      'publish-lead': { type: 'string' },
    },
  });

const main = async () => {
  const command = process.argv[2];
  try {
    console.log(JSON.stringify(await runKeysCommand(process.argv.slice(2)), null, 2));
  } catch (error) {
    // Our errors and the AWS SDK's carry no secret values; print the message, never the secret.
    const reason = error instanceof Error ? error.message : String(error);
    console.error(error instanceof UsageError ? `${reason}\n${USAGE}` : `keys ${command}: ${reason}`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
};

// Run as `tsx scripts/keys.ts …`, not when a test imports the functions above.
const script = process.argv[1];
if (script && existsSync(script) && realpathSync(resolve(script)) === import.meta.filename) await main();
