import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type AuthState, stateKey } from '../../store/state-store.ts';
import { documentClient, nowSeconds, tableName } from '../../store/table.ts';

export type QrState = Extract<AuthState, { provider: 'sgverify' }>;

/** The QR code's state, if it exists, is SG-Verify's, and has not expired. */
export const liveQrState = async (state: string): Promise<QrState | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: stateKey(state), ConsistentRead: true }),
  );
  const found = Item as AuthState | undefined;
  return found?.provider === 'sgverify' ? found : undefined;
};

export const isLive = (qr: QrState): boolean => qr.expiresAt > nowSeconds();

/**
 * A dynamic code serves one visitor: the first callback whose code SG-Verify accepted claims it in
 * one conditional write, so a replayed or concurrent callback for the same code gets nothing.
 */
export const claimDynamicQr = async (state: string): Promise<boolean> => {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: stateKey(state),
        UpdateExpression: 'SET scannedAt = :now',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(scannedAt) AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': nowSeconds() },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};
