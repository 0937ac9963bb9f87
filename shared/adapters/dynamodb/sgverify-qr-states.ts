import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StateOf } from '../../core/auth-state.ts';
import type { Clock } from '../../core/ports.ts';
import type { QrStates } from '../../providers/sgverify/ports.ts';
import { stateKey } from './state-store.ts';
import { documentClient, tableName } from './table.ts';

/** SG-Verify's QR codes, read where the state store saved them (an SG-Verify state has nothing sealed). */
export const dynamoQrStates = ({ clock }: { clock: Clock }): QrStates => ({
  find: async (state) => {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: stateKey(state), ConsistentRead: true }),
    );
    if (Item?.provider !== 'sgverify') return undefined;
    const { pk: _pk, sk: _sk, ttl: _ttl, ...found } = Item;
    return found as StateOf<'sgverify'>;
  },

  // One conditional write is what lets a dynamic code serve one visitor only.
  claimDynamic: async (state) => {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: stateKey(state),
          UpdateExpression: 'SET scannedAt = :now',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(scannedAt) AND expiresAt > :now',
          ExpressionAttributeValues: { ':now': clock.nowSeconds() },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  },
});
