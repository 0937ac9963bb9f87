import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { setting } from '../env.ts';
import { awsClientOptions } from '../invoking-function.ts';

/** The single table's key schema, shared by the CDK stack and the local launcher. */
export const TABLE_KEYS = { partition: 'pk', sort: 'sk', ttl: 'ttl' } as const;

let client: DynamoDBDocumentClient | undefined;

export const documentClient = (): DynamoDBDocumentClient => {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient(awsClientOptions()), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
};

export const tableName = (): string => setting('SECPASS_TABLE');
