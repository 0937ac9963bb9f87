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
 * number of containers one wins; the rest wait for the version to move.
 */
export const leaseRefresh = async (grantId: string, version: number, until: number): Promise<boolean> => {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: grantKey(grantId),
        UpdateExpression: 'SET refreshLeaseUntil = :until',
        ConditionExpression:
          'attribute_exists(pk) AND version = :version AND (attribute_not_exists(refreshLeaseUntil) OR refreshLeaseUntil < :now)',
        ExpressionAttributeValues: { ':until': until, ':version': version, ':now': Date.now() },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
};

/** Saves refreshed tokens over the version the lease was taken on, and frees the lease. */
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
        'SET tokens = :tokens, accessExpiresAt = :access, expiresAt = :expires, #ttl = :expires, #scope = :scope, version = :next REMOVE refreshLeaseUntil',
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

/** After a failed refresh: lets the next caller try at once rather than after the lease. */
export const releaseLease = async (grantId: string, version: number): Promise<void> => {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: grantKey(grantId),
        UpdateExpression: 'REMOVE refreshLeaseUntil',
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
