import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, nowSeconds, tableName } from '../../store/table.ts';

/**
 * Sealed SG-Verify results waiting for their kiosk: one item per scan under the QR's state,
 * sorted by arrival, kept at most five minutes. The token is already a JWE to the app's key,
 * so what rests in the table is readable by that app alone.
 */
const RESULT_TTL_SECONDS = 300;
const partition = (state: string) => `RESULT#${state}`;

export const storePendingResult = async (state: string, sealedToken: string): Promise<void> => {
  const arrivedAt = Date.now();
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: {
        pk: partition(state),
        // Arrival order, with a random tail so two scans in the same millisecond both stay.
        sk: `${String(arrivedAt).padStart(15, '0')}#${randomBytes(6).toString('hex')}`,
        token: sealedToken,
        expiresAt: nowSeconds() + RESULT_TTL_SECONDS,
        ttl: nowSeconds() + RESULT_TTL_SECONDS,
      },
    }),
  );
};

/**
 * The oldest unexpired result, removed in the same step: a conditional delete hands each result
 * to exactly one caller, however many ask at once; a caller that loses the race tries the next.
 */
export const takeOldestResult = async (state: string): Promise<string | undefined> => {
  const now = nowSeconds();
  const { Items = [] } = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      FilterExpression: 'expiresAt > :now',
      ExpressionAttributeValues: { ':pk': partition(state), ':now': now },
      ConsistentRead: true,
      Limit: 25,
    }),
  );
  for (const item of Items) {
    try {
      const { Attributes } = await documentClient().send(
        new DeleteCommand({
          TableName: tableName(),
          Key: { pk: item.pk, sk: item.sk },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      if (typeof Attributes?.token === 'string') return Attributes.token;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
  return undefined;
};
