import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type CpfhubPorts,
  type GrantRecord,
  type GrantStore,
  type GrantTokens,
  grantDigest,
} from '../../providers/cpfhub/ports.ts';
import { documentClient, tableName } from './table.ts';

export const grantKey = (grantId: string) => ({ pk: `GRANT#${grantDigest(grantId)}`, sk: 'GRANT' });

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;

const create = async (grantId: string, record: GrantRecord): Promise<void> => {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...grantKey(grantId), ...record, ttl: record.expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
};

// TTL deletes late, so expiry is checked on every read.
const read = async (
  nowMillis: () => number,
  grantId: string,
  appId: string,
): Promise<GrantRecord | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: grantKey(grantId), ConsistentRead: true }),
  );
  const record = Item as GrantRecord | undefined;
  if (!record || record.appId !== appId || record.expiresAt <= nowMillis() / 1000) return undefined;
  return record;
};

const leaseRefresh = async (
  nowMillis: () => number,
  grantId: string,
  version: number,
  until: number,
): Promise<GrantRecord | undefined> => {
  const now = nowMillis();
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

const saveRefresh = async (grantId: string, version: number, update: GrantTokens): Promise<void> => {
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

const releaseLease = async (grantId: string, version: number, stillInDoubt: boolean): Promise<void> => {
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

const remove = async (grantId: string, appId: string): Promise<boolean> => {
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

/** Users' CPFHub grants in the single table; the conditional writes are the rules. */
export const dynamoGrantStore = (nowMillis: () => number): GrantStore => ({
  create,
  read: (grantId, appId) => read(nowMillis, grantId, appId),
  leaseRefresh: (grantId, version, until) => leaseRefresh(nowMillis, grantId, version, until),
  saveRefresh,
  releaseLease,
  remove,
});

/** CPFHub's own ports as a function on AWS gets them: the table and the system clock. */
export const awsCpfhubPorts = (): CpfhubPorts => {
  const nowMillis = () => Date.now();
  return { grants: dynamoGrantStore(nowMillis), nowMillis };
};
