import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AccessPolicy, accessDeniedMessage, callerOf } from './access-policy.ts';

/**
 * A loopback proxy in front of DynamoDB Local that refuses, with DynamoDB's AccessDeniedException,
 * the calls the caller's grants would not allow on AWS (DynamoDB Local itself lets every caller do
 * everything). Everything else passes through untouched.
 */
export interface DynamoDbGuard {
  url: string;
  stop(): Promise<void>;
}

interface Access {
  action: string;
  table: string;
}

type Input = Record<string, unknown>;

const tableOf = (value: unknown): string =>
  typeof value === 'object' && value !== null && typeof (value as Input).TableName === 'string'
    ? String((value as Input).TableName)
    : '*';

/** Each table of a batch's `RequestItems`. */
const batchTables = (input: Input): string[] =>
  typeof input.RequestItems === 'object' && input.RequestItems !== null
    ? Object.keys(input.RequestItems)
    : [];

/** A transaction is authorised item by item, each as the single-item action it performs. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Get: 'dynamodb:GetItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

const transactItems = (input: Input): Access[] =>
  (Array.isArray(input.TransactItems) ? (input.TransactItems as Input[]) : []).flatMap((item) =>
    Object.entries(item).map(([kind, detail]) => ({
      action: TRANSACT_ACTIONS[kind] ?? `dynamodb:${kind}`,
      table: tableOf(detail),
    })),
  );

/** The IAM actions one call needs, as AWS authorises them. */
export const accessesOf = (operation: string, input: Input): Access[] => {
  switch (operation) {
    case 'BatchGetItem':
    case 'BatchWriteItem':
      return batchTables(input).map((table) => ({ action: `dynamodb:${operation}`, table }));
    case 'TransactGetItems':
    case 'TransactWriteItems':
      return transactItems(input);
    default:
      return [{ action: `dynamodb:${operation}`, table: tableOf(input) }];
  }
};

const REGION_ACCOUNT = 'ap-southeast-1:000000000000';

export const startDynamoDbGuard = async (
  dynamodbUrl: string,
  policy: AccessPolicy,
  port = 0,
): Promise<DynamoDbGuard> => {
  const target = new URL(dynamodbUrl);
  const agent = new Agent({ keepAlive: true });

  const refusal = (req: IncomingMessage, body: Buffer): string | undefined => {
    const operation = /^DynamoDB_\d+\.(\w+)$/.exec(String(req.headers['x-amz-target'] ?? ''))?.[1];
    if (req.method !== 'POST' || !operation) return undefined;
    let input: Input;
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Input;
    } catch {
      return undefined; // DynamoDB Local answers a malformed body itself.
    }
    const caller = callerOf(req.headers.authorization);
    const denied = accessesOf(operation, input).find(({ action, table }) => !policy(caller, action, table));
    if (!denied) return undefined;
    return accessDeniedMessage(
      caller,
      denied.action,
      `arn:aws:dynamodb:${REGION_ACCOUNT}:table/${denied.table}`,
    );
  };

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse) => {
    const upstream = request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.once('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const message = refusal(req, body);
    if (message === undefined) return forward(req, body, res);
    res.writeHead(400, {
      'Content-Type': 'application/x-amz-json-1.0',
      'x-amzn-ErrorType': 'AccessDeniedException',
    });
    res.end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', Message: message }));
  };

  const server = createServer((req, res) => void handle(req, res).catch(() => res.destroy()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
