import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PortBusyError, START_PORTS } from '@secpass/simulators/ports';
import { exitWithUsageIfAsked } from '../scripts/help.ts';
import { demoFileIn, localDirectory, readDemoAppKeys, writeDemoFile } from './demo-file.ts';
import { SavedAppsUnreadableError, savedAppsFileIn } from './saved-apps.ts';
import { type ExternalFapiIssuer, type LocalStack, startLocalStack } from './stack.ts';
import { answerUsageQueries } from './usage-reporter.ts';

/** `npm start`: the whole broker on loopback, ready for the demo apps and for curl. */

const LOCAL_DIR = localDirectory();
const DEMO_FILE = demoFileIn(LOCAL_DIR);
const DEV_KEYS_FILE = join(LOCAL_DIR, 'dev-keys.json');
const APPS_FILE = savedAppsFileIn(LOCAL_DIR);

/**
 * SINGPASS_FAPI_ISSUER (+ the two client ids) points the FAPI demo app at another issuer, such as
 * Singpass staging, instead of the built-in one.
 */
const externalFapiIssuer = (): ExternalFapiIssuer | undefined => {
  const issuer = process.env.SINGPASS_FAPI_ISSUER;
  if (!issuer) return undefined;
  const loginClientId = process.env.SINGPASS_FAPI_LOGIN_CLIENT_ID;
  const myinfoClientId = process.env.SINGPASS_FAPI_MYINFO_CLIENT_ID;
  if (!loginClientId || !myinfoClientId) {
    throw new Error(
      'SINGPASS_FAPI_ISSUER needs SINGPASS_FAPI_LOGIN_CLIENT_ID and SINGPASS_FAPI_MYINFO_CLIENT_ID as well',
    );
  }
  return { issuer, loginClientId, myinfoClientId };
};

const USAGE = `usage: npm start [-- --sandbox] [-- --fresh] [-- --help]
Runs the whole broker on 127.0.0.1 (DynamoDB Local, the Secrets Manager endpoint, the API Gateway
emulator with the real handlers, MockPass and our simulators, the demo app) until Ctrl-C.
Apps (the demo apps with their ids and keys, and those made with \`npm run apps -- create --local\`)
are kept in $SECPASS_LOCAL_DIR/apps.json and come back at the next start.
options:
  --sandbox   serve calls without an API key as demo app 1, as a sandbox deployment does
  --fresh     start over: new dev keys, new demo apps, no saved apps
environment:
  PORT, DEMO_APP_PORT, MOCKPASS_PORT, MYINFOBIZ_PORT, SGVERIFY_PORT, CPFHUB_PORT,
  SINGPASS_FAPI_PORT, DYNAMODB_PORT, SECRETS_PORT   move a server (defaults 3000, 3001, 5156–5160, 8000, 8010)
  SINGPASS_FAPI_ISSUER + SINGPASS_FAPI_LOGIN_CLIENT_ID + SINGPASS_FAPI_MYINFO_CLIENT_ID
      use another FAPI 2.0 issuer (Singpass staging) instead of the built-in one
  SECPASS_LOCAL_DIR   where keys, saved apps, demo-app.json and logs live (default .local)`;

const commandLine = () => {
  try {
    return parseArgs({
      options: { sandbox: { type: 'boolean', default: false }, fresh: { type: 'boolean', default: false } },
    }).values;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
};

/** One line per part as it comes up: `  DynamoDB Local              http://127.0.0.1:8000`. */
const printProgress = (part: string, detail: string) => console.log(`  ${part.padEnd(30)}${detail}`);

/** A line a newcomer can act on: a busy port or an unreadable saved file needs no stack trace. */
const reasonOf = (error: unknown): string => {
  if (error instanceof PortBusyError) return `${error.message}; stop what uses it or set another port`;
  if (error instanceof SavedAppsUnreadableError) return error.message;
  return String(error);
};

const main = async () => {
  exitWithUsageIfAsked(USAGE);
  const { sandbox, fresh } = commandLine();
  if (fresh) {
    for (const file of [APPS_FILE, DEV_KEYS_FILE]) rmSync(file, { force: true });
  }
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      ports: Object.fromEntries(
        Object.entries(START_PORTS).map(([name, { variable, fallback }]) => [
          name,
          Number(process.env[variable] ?? fallback),
        ]),
      ),
      devKeysFile: DEV_KEYS_FILE,
      fapiIssuer: externalFapiIssuer(),
      simulatorLogDir: join(LOCAL_DIR, 'logs'),
      savedApps: { file: APPS_FILE, lastDemoKeys: fresh ? [] : readDemoAppKeys(LOCAL_DIR) },
      sandbox,
      onProgress: printProgress,
    });
  } catch (error) {
    console.error(`Secpass local could not start: ${reasonOf(error)}`);
    process.exit(1);
  }
  writeDemoFile(LOCAL_DIR, stack);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(
    `Secpass local ready: gateway ${stack.gatewayUrl}, demo app ${stack.demoAppUrl}, MockPass ${stack.upstreams.mockpass}, ` +
      `Myinfo Business ${stack.upstreams.myinfobiz}, SG-Verify ${stack.upstreams.sgverify}, CPFHub ${stack.upstreams.cpfhub}, ` +
      `Singpass FAPI 2.0 ${stack.upstreams.singpassFapi}; ` +
      `API keys in ${DEMO_FILE}`,
  );
};

answerUsageQueries();
await main();
