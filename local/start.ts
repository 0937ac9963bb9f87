import { join } from 'node:path';
import { exitWithUsageIfAsked } from '../scripts/help.ts';
import { writeDemoFile } from './demo-file.ts';
import { PortBusyError, START_PORTS } from './ports.ts';
import { type ExternalFapiIssuer, type LocalStack, startLocalStack } from './stack.ts';

/** `npm start`: the whole broker on loopback, ready for the demo apps and for curl. */

/** Git-ignored home of dev keys and demo-app.json; tests point it elsewhere. */
const LOCAL_DIR = process.env.SECPASS_LOCAL_DIR ?? '.local';
const DEMO_FILE = join(LOCAL_DIR, 'demo-app.json');

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

const USAGE = `usage: npm start [-- --help]
Runs the whole broker on 127.0.0.1 (DynamoDB Local, the Secrets Manager endpoint, the API Gateway
emulator with the real handlers, MockPass and our simulators, the demo app) until Ctrl-C.
environment:
  PORT, DEMO_APP_PORT, MOCKPASS_PORT, MYINFOBIZ_PORT, SGVERIFY_PORT, CPFHUB_PORT,
  SINGPASS_FAPI_PORT, DYNAMODB_PORT, SECRETS_PORT   move a server (defaults 3000, 3001, 5156–5160, 8000, 8010)
  SINGPASS_FAPI_ISSUER + SINGPASS_FAPI_LOGIN_CLIENT_ID + SINGPASS_FAPI_MYINFO_CLIENT_ID
      use another FAPI 2.0 issuer (Singpass staging) instead of the built-in one
  SECPASS_LOCAL_DIR   where keys, demo-app.json and logs live (default .local)`;

const main = async () => {
  exitWithUsageIfAsked(USAGE);
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      ports: Object.fromEntries(
        Object.entries(START_PORTS).map(([name, { variable, fallback }]) => [
          name,
          Number(process.env[variable] ?? fallback),
        ]),
      ),
      devKeysFile: join(LOCAL_DIR, 'dev-keys.json'),
      fapiIssuer: externalFapiIssuer(),
      simulatorLogDir: join(LOCAL_DIR, 'logs'),
    });
  } catch (error) {
    const reason =
      error instanceof PortBusyError
        ? `${error.message}; stop what uses it or set another port`
        : String(error);
    console.error(`Secpass local could not start: ${reason}`);
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

await main();
