import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../core/ports.ts';
import type { PendingResults } from '../../providers/sgverify/ports.ts';
import { documentClient, tableName } from './table.ts';

/**
 * Sealed SG-Verify results waiting for their kiosk: one item per scan under the QR's state,
 * sorted by arrival. The token is already a JWE to the app's key, so what rests in the table is
 * readable by that app alone.
 */
const partition = (state: string) => `RESULT#${state}`;

export const dynamoPendingResults = ({ clock }: { clock: Clock }): PendingResults => ({
  store: async (state, sealedToken, expiresAt) => {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          pk: partition(state),
          // Arrival order (milliseconds: an order, not an expiry), with a random tail so two scans
          // in the same millisecond both stay.
          sk: `${String(Date.now()).padStart(15, '0')}#${randomBytes(6).toString('hex')}`,
          token: sealedToken,
          expiresAt,
          ttl: expiresAt,
        },
      }),
    );
  },

  // A conditional delete hands each result to exactly one caller; one that loses the race tries the next.
  takeOldest: async (state) => {
    const { Items = [] } = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        FilterExpression: 'expiresAt > :now',
        ExpressionAttributeValues: { ':pk': partition(state), ':now': clock.nowSeconds() },
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
  },
});
