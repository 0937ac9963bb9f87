import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SealedText } from '../../crypto/token-cipher.ts';
import { documentClient, tableName } from '../../store/table.ts';

/**
 * A user's CPFHub grant as the table holds it. The grant id is a bearer secret the app keeps, so
 * only its SHA-256 is a key here; the user's tokens are sealed (token-cipher) and never stored
 * in the clear.
 */
export interface GrantRecord {
  appId: string;
  /** Space-separated, as CPFHub granted it. */
  scope: string;
  /** `{ accessToken, refreshToken }`, sealed. */
  tokens: SealedText;
  /** Epoch ms after which the access token is treated as expired (a margin before CPFHub's). */
  accessExpiresAt: number;
  /** Epoch seconds; also the TTL. Every use and refresh pushes it on. */
  expiresAt: number;
  /** Bumped by every refresh: a refresh is saved only over the version it started from. */
  version: number;
  /** Epoch ms until which one caller holds the right to refresh. */
  refreshLeaseUntil?: number;
  /**
   * Epoch ms since when CPFHub may have rotated the refresh token held here without the new one
   * reaching us. Set as a refresh is leased (a caller that dies mid-call leaves it), kept when the
   * outcome stays unknown (a reset, a timeout, an unreadable answer, a 5xx), cleared by a clean
   * refresh or by a refusal when nothing was in doubt before.
   */
  refreshInDoubtSince?: number;
}

const grantKey = (grantId: string) => ({
  pk: `GRANT#${createHash('sha256').update(grantId).digest('hex')}`,
  sk: 'GRANT',
});

/** What binds sealed tokens to their grant and app (the cipher's associated data). */
export const grantContext = (grantId: string, appId: string): string => `${grantKey(grantId).pk}|${appId}`;

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

export const createGrant = async (grantId: string, record: GrantRecord): Promise<void> => {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...grantKey(grantId), ...record, ttl: record.expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
};

/** The grant if it exists, belongs to `appId` and has not expired; TTL deletes late, so it is checked. */
export const readGrant = async (grantId: string, appId: string): Promise<GrantRecord | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: grantKey(grantId), ConsistentRead: true }),
  );
  const record = Item as GrantRecord | undefined;
  if (!record || record.appId !== appId || record.expiresAt <= Date.now() / 1000) return undefined;
  return record;
};

/**
 * Takes the right to refresh `version` until `until`: of any number of concurrent callers in any
 * number of containers one wins; the rest wait for the version to move. The same write records that
 * a refresh is about to leave, so even a caller that dies mid-call leaves the grant in doubt.
 * Returns the grant as it stood before (whether an earlier refresh was already in doubt), or
 * undefined when the lease went to another caller.
 */
export const leaseRefresh = async (
  grantId: string,
  version: number,
  until: number,
): Promise<GrantRecord | undefined> => {
  const now = Date.now();
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: grantKey(grantId),
        UpdateExpression:
          'SET refreshLeaseUntil = :until, refreshInDoubtSince = if_not_exists(refreshInDoubtSince, :now)',
        ConditionExpression:
          'attribute_exists(pk) AND version = :version AND (attribute_not_exists(refreshLeaseUntil) OR refreshLeaseUntil < :now)',
        ExpressionAttributeValues: { ':until': until, ':version': version, ':now': now },
        ReturnValues: 'ALL_OLD',
      }),
    );
    return Attributes as GrantRecord;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
};

/** Saves refreshed tokens over the version the lease was taken on, frees the lease and ends any doubt. */
export const saveRefresh = async (
  grantId: string,
  version: number,
  update: Pick<GrantRecord, 'tokens' | 'accessExpiresAt' | 'expiresAt' | 'scope'>,
): Promise<void> => {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: grantKey(grantId),
      UpdateExpression:
        'SET tokens = :tokens, accessExpiresAt = :access, expiresAt = :expires, #ttl = :expires, #scope = :scope, version = :next REMOVE refreshLeaseUntil, refreshInDoubtSince',
      ConditionExpression: 'attribute_exists(pk) AND version = :version',
      ExpressionAttributeNames: { '#ttl': 'ttl', '#scope': 'scope' },
      ExpressionAttributeValues: {
        ':tokens': update.tokens,
        ':access': update.accessExpiresAt,
        ':expires': update.expiresAt,
        ':scope': update.scope,
        ':version': version,
        ':next': version + 1,
      },
    }),
  );
};

/**
 * After a failed refresh: lets the next caller try at once rather than after the lease. The grant
 * stays in doubt if CPFHub may have acted on this refresh or an earlier one (`stillInDoubt`).
 */
export const releaseLease = async (
  grantId: string,
  version: number,
  stillInDoubt: boolean,
): Promise<void> => {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: grantKey(grantId),
        UpdateExpression: stillInDoubt
          ? 'REMOVE refreshLeaseUntil'
          : 'REMOVE refreshLeaseUntil, refreshInDoubtSince',
        ConditionExpression: 'attribute_exists(pk) AND version = :version',
        ExpressionAttributeValues: { ':version': version },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
};

/** Deletes the grant if it is still `appId`'s; false when it was not there to delete. */
export const deleteGrant = async (grantId: string, appId: string): Promise<boolean> => {
  try {
    await documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: grantKey(grantId),
        ConditionExpression: 'attribute_exists(pk) AND appId = :app',
        ExpressionAttributeValues: { ':app': appId },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};
