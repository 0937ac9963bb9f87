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
import { PUBLISHED_KEY_SETS, type PublishedKeySet } from '../shared/secrets/public-keys.ts';
import { isUnfilled, PUBLISHED_AS, withPublishedKeys } from '../shared/secrets/publish-keys.ts';
import {
  describeKeySet,
  isKeySet,
  KEY_SETS,
  type KeySet,
  pruneKeySet,
  type Rotation,
  rotateKeySet,
} from '../shared/secrets/rotation.ts';
import { exitWithUsageIfAsked } from './help.ts';

/**
 * `npm run keys -- <rotate|prune|list> <key-set>`: rotates the keys in one of our secrets with no
 * failed request, on AWS (the secret from --secret-id or the functions' environment variable;
 * credentials and region from the usual AWS environment) or with --local in a running `npm start`.
 * Keys our JWKS routes publish have their public halves written to the public keys secret first,
 * then the private secret: a key is never usable before it is published. `publish` writes them
 * from the private secrets alone (after filling those by hand). Prints kids and dates, never key
 * material.
 */
const USAGE = `usage:
  npm run keys -- rotate <key-set> [--local] [--secret-id ID] [--public-keys-secret-id ID] [--publish-lead SECONDS]
  npm run keys -- prune <key-set> [--local] [--secret-id ID] [--public-keys-secret-id ID]
  npm run keys -- list <key-set> [--local] [--secret-id ID]
  npm run keys -- publish [--local] [--public-keys-secret-id ID]
key sets: ${KEY_SETS.join(', ')}
  rotate   adds a new current key, schedules the previous ones to retire, drops those past their date;
           a new signing key is published --publish-lead seconds before it signs (default 300 for
           secpass-signing: apps cache our JWKS up to its max-age; 3600 for singpass-rp and
           singpass-fapi: Singpass caches it up to an hour)
  prune    only drops keys past their retire date
  publish  writes the public keys secret from the signing and Singpass secrets (run it once after
           filling them by hand; rotate and prune keep it up to date afterwards)
options: --local                  the secrets of a running \`npm start\` (reads .local/demo-app.json)
         --secret-id              the secret's name or ARN; default: SECPASS_SIGNING_SECRET_ID,
                                  SINGPASS_SECRET_ID or CPFHUB_SECRET_ID, as the functions use
         --public-keys-secret-id  default: SECPASS_PUBLIC_KEYS_SECRET_ID, as the jwks function uses;
                                  publish reads SECPASS_SIGNING_SECRET_ID and SINGPASS_SECRET_ID`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Where each key set lives: the functions' environment variable, and the id in a local stack. */
const SECRET_OF: Record<
  KeySet,
  { variable: string; local: 'signing' | 'singpass' | 'cpfhub' | 'stateKeys' }
> = {
  'secpass-signing': { variable: 'SECPASS_SIGNING_SECRET_ID', local: 'signing' },
  'singpass-rp': { variable: 'SINGPASS_SECRET_ID', local: 'singpass' },
  'singpass-fapi': { variable: 'SINGPASS_SECRET_ID', local: 'singpass' },
  'cpfhub-token': { variable: 'CPFHUB_SECRET_ID', local: 'cpfhub' },
  'state-keys': { variable: 'STATE_KEYS_SECRET_ID', local: 'stateKeys' },
};

/** The secrets `publish` derives the public keys secret from, and where it is. */
const PUBLISHED_FROM: Record<PublishedKeySet, { variable: string; local: 'signing' | 'singpass' }> = {
  secpass: { variable: 'SECPASS_SIGNING_SECRET_ID', local: 'signing' },
  singpass: { variable: 'SINGPASS_SECRET_ID', local: 'singpass' },
};
const PUBLIC_KEYS = { variable: 'SECPASS_PUBLIC_KEYS_SECRET_ID', local: 'publicKeys' } as const;

const LocalStackFile = z.object({
  secretsUrl: z.url(),
  secretIds: z.record(z.string(), z.string()),
});

/** Points this process at the running `npm start`'s secrets endpoint; returns its secret ids. */
const useLocalSecrets = (): Record<string, string> => {
  const file = join(process.env.SECPASS_LOCAL_DIR ?? '.local', 'demo-app.json');
  if (!existsSync(file)) throw new UsageError(`--local needs a running \`npm start\` (no ${file})`);
  const local = LocalStackFile.parse(JSON.parse(readFileSync(file, 'utf8')));
  useLocalEnvironment({ AWS_ENDPOINT_URL_SECRETS_MANAGER: local.secretsUrl });
  return local.secretIds;
};

/** A secret's id: given, else the running `npm start`'s (with --local), else the functions' variable. */
const secretIdOf = (
  where: { variable: string; local: string },
  given: string | undefined,
  local: Record<string, string> | undefined,
  option: string,
): string => {
  if (given) return given;
  if (local) {
    const id = local[where.local];
    if (!id) throw new UsageError(`the running \`npm start\` names no ${where.local} secret`);
    return id;
  }
  const id = process.env[where.variable];
  if (!id) throw new UsageError(`give ${option} or set ${where.variable}`);
  return id;
};

const readSecretString = async (client: SecretsManagerClient, secretId: string) =>
  (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;

const writeSecretString = (client: SecretsManagerClient, secretId: string, secret: string) =>
  client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: secret }));

/** What is printed of a rotation: everything but the secret itself. */
const summary = ({ secret: _secret, ...rest }: Rotation) => rest;

export interface WriteOptions {
  /** Where the key set's public halves are published; required for the sets a JWKS publishes. */
  publicKeysSecretId?: string;
}

/**
 * Publishes the public halves of `privateSecret` (the key set's secret as it is about to be
 * written), keeping the other JWKS's keys. Returns what was published, or nothing for a key set
 * no JWKS publishes.
 */
const publishFirst = async (
  client: SecretsManagerClient,
  keySet: KeySet,
  privateSecret: string,
  { publicKeysSecretId }: WriteOptions,
) => {
  const published = PUBLISHED_AS[keySet];
  if (!published) return undefined;
  if (!publicKeysSecretId) {
    throw new UsageError(
      `${keySet} keys are published: give --public-keys-secret-id or set ${PUBLIC_KEYS.variable}`,
    );
  }
  const current = await readSecretString(client, publicKeysSecretId);
  await writeSecretString(client, publicKeysSecretId, withPublishedKeys(current, published, privateSecret));
  return { secretId: publicKeysSecretId, jwks: published };
};

/**
 * Reads the secret, rotates it and writes it back as its new current version, its public halves
 * published first. The CLI and the tests go through here. Not atomic: two rotations of one secret
 * at once would lose one (run one).
 */
export const rotateSecret = async (
  keySet: KeySet,
  secretId: string,
  options: WriteOptions & { publishLead?: number } = {},
) => {
  const client = new SecretsManagerClient({});
  const rotation = await rotateKeySet(keySet, await readSecretString(client, secretId), {
    now: epochSeconds(),
    publishLead: options.publishLead,
  });
  const published = await publishFirst(client, keySet, rotation.secret, options);
  await writeSecretString(client, secretId, rotation.secret);
  return { keySet, secretId, ...summary(rotation), ...(published ? { published } : {}) };
};

export const pruneSecret = async (keySet: KeySet, secretId: string, options: WriteOptions = {}) => {
  const client = new SecretsManagerClient({});
  const pruned = pruneKeySet(keySet, await readSecretString(client, secretId), epochSeconds());
  let published: Awaited<ReturnType<typeof publishFirst>>;
  if (pruned.dropped.length > 0) {
    // Only keys past their retireAfter go: nothing they made is still in use, so unpublishing
    // them first is as safe as after.
    published = await publishFirst(client, keySet, pruned.secret, options);
    await writeSecretString(client, secretId, pruned.secret);
  }
  return { keySet, secretId, ...summary(pruned), ...(published ? { published } : {}) };
};

/**
 * Writes the public keys secret from the private secrets as they are: after an operator filled
 * them by hand, or to repair it. A private secret still `{}` publishes nothing (its JWKS answers
 * 500 until it is filled and published).
 */
export const publishKeys = async (sources: Record<PublishedKeySet, string>, publicKeysSecretId: string) => {
  const client = new SecretsManagerClient({});
  let publicKeys = '{}';
  const published: { jwks: PublishedKeySet; kids: string[] }[] = [];
  const notes: string[] = [];
  for (const jwks of PUBLISHED_KEY_SETS) {
    const privateSecret = await readSecretString(client, sources[jwks]);
    if (isUnfilled(privateSecret)) {
      notes.push(`${sources[jwks]} is still {}: nothing is published for ${jwks} until it is filled.`);
      continue;
    }
    publicKeys = withPublishedKeys(publicKeys, jwks, privateSecret ?? '');
    const kids = (JSON.parse(publicKeys) as Record<string, { kid: string }[]>)[jwks] ?? [];
    published.push({ jwks, kids: kids.map(({ kid }) => kid) });
  }
  await writeSecretString(client, publicKeysSecretId, publicKeys);
  return { publicKeysSecretId, published, notes };
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
  const [command, ...rest] = positionals;
  if (!command) throw new UsageError('no command');
  if (!['rotate', 'prune', 'list', 'publish'].includes(command)) {
    throw new UsageError(`unknown command "${command}"`);
  }
  if (command !== 'rotate' && options['publish-lead'] !== undefined) {
    throw new UsageError('--publish-lead applies to rotate only');
  }
  const local = options.local ? useLocalSecrets() : undefined;
  const publicKeysSecretId = () =>
    secretIdOf(PUBLIC_KEYS, options['public-keys-secret-id'], local, '--public-keys-secret-id');
  if (command === 'publish') {
    if (rest.length > 0) throw new UsageError(`unexpected "${rest.join(' ')}"`);
    if (options['secret-id'] !== undefined) throw new UsageError('--secret-id does not apply to publish');
    const sources = {
      secpass: secretIdOf(PUBLISHED_FROM.secpass, undefined, local, '--local'),
      singpass: secretIdOf(PUBLISHED_FROM.singpass, undefined, local, '--local'),
    };
    return publishKeys(sources, publicKeysSecretId());
  }
  const [keySet, ...extra] = rest;
  if (!keySet || !isKeySet(keySet))
    throw new UsageError(keySet ? `unknown key set "${keySet}"` : 'no key set');
  if (extra.length > 0) throw new UsageError(`unexpected "${extra.join(' ')}"`);
  const secretId = secretIdOf(SECRET_OF[keySet], options['secret-id'], local, '--secret-id');
  // Asked only where it is needed: CPFHub's sealing keys are published nowhere.
  const writeOptions = () => (PUBLISHED_AS[keySet] ? { publicKeysSecretId: publicKeysSecretId() } : {});
  switch (command) {
    case 'rotate':
      return rotateSecret(keySet, secretId, {
        ...writeOptions(),
        publishLead: publishLeadOption(options['publish-lead']),
      });
    case 'prune':
      return pruneSecret(keySet, secretId, writeOptions());
    case 'list':
      if (options['public-keys-secret-id'] !== undefined) {
        throw new UsageError('--public-keys-secret-id does not apply to list');
      }
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
      'public-keys-secret-id': { type: 'string' },
      'publish-lead': { type: 'string' },
    },
  });

const main = async () => {
  exitWithUsageIfAsked(USAGE);
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
