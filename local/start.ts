import { mkdirSync, writeFileSync } from 'node:fs';
import { PortBusyError } from './ports.ts';
import { type LocalStack, startLocalStack } from './stack.ts';

/** `npm start`: the whole broker on loopback, ready for the demo apps and for curl. */
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

const DEMO_FILE = '.local/demo-app.json';

const writeDemoFile = (stack: LocalStack) => {
  mkdirSync('.local', { recursive: true });
  const demo = {
    gatewayUrl: stack.gatewayUrl,
    secpassJwksUrl: stack.secpassJwksUrl,
    demoAppUrl: stack.demoAppUrl,
    upstreams: stack.upstreams,
    dynamodbUrl: stack.dynamodbUrl,
    secretsUrl: stack.secretsUrl,
    tableName: process.env.SECPASS_TABLE,
    secretIds: stack.secretIds,
    apps: stack.apps.map(({ appId, name, apiKey, privateJwk, callbacks }) => ({
      appId,
      name,
      apiKey,
      privateJwk,
      callbacks,
    })),
  };
  writeFileSync(DEMO_FILE, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
};

const main = async () => {
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      ports: {
        gateway: port('PORT', 3000),
        demoApp: port('DEMO_APP_PORT', 3001),
        mockpass: port('MOCKPASS_PORT', 5156),
        dynamodb: port('DYNAMODB_PORT', 8000),
        secrets: port('SECRETS_PORT', 8010),
      },
      devKeysFile: '.local/dev-keys.json',
    });
  } catch (error) {
    const reason =
      error instanceof PortBusyError
        ? `${error.message}; stop what uses it or set another port`
        : String(error);
    console.error(`Secpass local could not start: ${reason}`);
    process.exit(1);
  }
  writeDemoFile(stack);
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
    `Secpass local ready: gateway ${stack.gatewayUrl}, demo app ${stack.demoAppUrl}, MockPass ${stack.upstreams.mockpass}; API keys in ${DEMO_FILE}`,
  );
};

await main();
