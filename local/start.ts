import { join } from 'node:path';
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

const main = async () => {
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
