import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableName } from '../shared/adapters/dynamodb/table.ts';

/**
 * DynamoDB Local is a JVM: its first few thousand requests run slower while the JIT compiles
 * them. A long-running table is never that cold, so the bench exercises the same three
 * operations the flows use on scratch items before measuring anything.
 */
export const warmDynamoDbLocal = async (requests: number): Promise<void> => {
  const client = documentClient();
  const TableName = tableName();
  for (let i = 0; i < requests / 3; i += 1) {
    const Key = { pk: `BENCH#${i % 50}`, sk: 'WARM' };
    await client.send(new PutCommand({ TableName, Item: { ...Key, n: i } }));
    await client.send(
      new UpdateCommand({
        TableName,
        Key,
        UpdateExpression: 'SET n = :n',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':n': i + 1 },
        ReturnValues: 'ALL_NEW',
      }),
    );
    await client.send(new GetCommand({ TableName, Key, ConsistentRead: true }));
  }
};
