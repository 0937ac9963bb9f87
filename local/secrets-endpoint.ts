import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AccessPolicy, accessDeniedMessage, callerOf } from './access-policy.ts';

/**
 * A loopback stand-in for AWS Secrets Manager speaking its JSON wire protocol
 * (`X-Amz-Target: secretsmanager.<Operation>`, `application/x-amz-json-1.1`) for the calls
 * Secpass makes, so the unchanged SDK client in the handlers talks to it via
 * AWS_ENDPOINT_URL_SECRETS_MANAGER. Signatures are not checked (it is loopback only), but the
 * access key id names the caller: given a policy, it refuses what the caller's grants would
 * refuse on AWS, with AWS's AccessDeniedException.
 */
interface StoredSecret {
  name: string;
  arn: string;
  value: string;
  versionId: string;
  createdAt: number;
}

const REGION_ACCOUNT = 'ap-southeast-1:000000000000';

export interface SecretsEndpoint {
  url: string;
  put(name: string, value: string): void;
  /** The secret's current value, as an operator with every right would read it. */
  read(name: string): string | undefined;
  stop(): Promise<void>;
}

export interface SecretsEndpointOptions {
  /** Who may do what to which secret (by name); without one, anyone may do anything. */
  policy?: AccessPolicy;
}

class WireError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const startSecretsEndpoint = async (
  port = 0,
  options: SecretsEndpointOptions = {},
): Promise<SecretsEndpoint> => {
  const secrets = new Map<string, StoredSecret>();

  const put = (name: string, value: string): StoredSecret => {
    const existing = secrets.get(name);
    const secret = {
      name,
      arn:
        existing?.arn ??
        `arn:aws:secretsmanager:${REGION_ACCOUNT}:secret:${name}-${randomUUID().slice(0, 6)}`,
      value,
      versionId: randomUUID(),
      createdAt: Date.now() / 1000,
    };
    secrets.set(name, secret);
    return secret;
  };

  const find = (secretId: unknown): StoredSecret => {
    const secret =
      typeof secretId === 'string'
        ? (secrets.get(secretId) ?? [...secrets.values()].find((s) => s.arn === secretId))
        : undefined;
    if (!secret)
      throw new WireError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return secret;
  };

  /** The secret an operation names: looked up by name or ARN, or the new name for CreateSecret. */
  const nameIn = (operation: string, input: Record<string, unknown>): string => {
    const id = operation === 'CreateSecret' ? input.Name : input.SecretId;
    if (typeof id !== 'string') return '*';
    return secrets.get(id)?.name ?? [...secrets.values()].find((s) => s.arn === id)?.name ?? id;
  };

  const authorize = (caller: string | undefined, operation: string, input: Record<string, unknown>) => {
    const action = `secretsmanager:${operation}`;
    const name = nameIn(operation, input);
    if (!options.policy || options.policy(caller, action, name)) return;
    const arn = secrets.get(name)?.arn ?? `arn:aws:secretsmanager:${REGION_ACCOUNT}:secret:${name}`;
    throw new WireError('AccessDeniedException', accessDeniedMessage(caller, action, arn));
  };

  const operations: Record<string, (input: Record<string, unknown>) => unknown> = {
    GetSecretValue: ({ SecretId }) => {
      const s = find(SecretId);
      return {
        ARN: s.arn,
        Name: s.name,
        SecretString: s.value,
        VersionId: s.versionId,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: s.createdAt,
      };
    },
    PutSecretValue: ({ SecretId, SecretString }) => {
      if (typeof SecretString !== 'string')
        throw new WireError('InvalidParameterException', 'SecretString is required.');
      const s = put(find(SecretId).name, SecretString);
      return { ARN: s.arn, Name: s.name, VersionId: s.versionId, VersionStages: ['AWSCURRENT'] };
    },
    CreateSecret: ({ Name, SecretString }) => {
      if (typeof Name !== 'string' || typeof SecretString !== 'string') {
        throw new WireError('InvalidParameterException', 'Name and SecretString are required.');
      }
      if (secrets.has(Name)) throw new WireError('ResourceExistsException', 'The secret already exists.');
      const s = put(Name, SecretString);
      return { ARN: s.arn, Name: s.name, VersionId: s.versionId };
    },
    DescribeSecret: ({ SecretId }) => {
      const s = find(SecretId);
      return { ARN: s.arn, Name: s.name, VersionIdsToStages: { [s.versionId]: ['AWSCURRENT'] } };
    },
  };

  const answer = (res: ServerResponse, status: number, body: unknown, errorType?: string) => {
    res.writeHead(status, {
      'Content-Type': 'application/x-amz-json-1.1',
      ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.replace(/^secretsmanager\./, '');
    const operation = operations[name];
    try {
      if (req.method !== 'POST' || !operation)
        throw new WireError('UnknownOperationException', 'Unsupported operation.');
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      authorize(callerOf(req.headers.authorization), name, input);
      answer(res, 200, operation(input));
    } catch (error) {
      const type = error instanceof WireError ? error.type : 'InvalidRequestException';
      answer(
        res,
        400,
        { __type: type, message: error instanceof Error ? error.message : 'bad request' },
        type,
      );
    }
  };

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    put: (name, value) => void put(name, value),
    read: (name) => secrets.get(name)?.value,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
};
