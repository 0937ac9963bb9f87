import { randomUUID } from 'node:crypto';
import { GetCommand, ScanCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppRecord } from '../../apps/app-record.ts';
import type { AppDirectory } from '../../core/ports.ts';
import { documentClient, tableName } from './table.ts';

// Apps and the index from API-key hash to app live in the one table.
const appKey = (appId: string) => ({ pk: `APP#${appId}`, sk: 'APP' });
const apiKeyIndexKey = (hash: string) => ({ pk: `APIKEY#${hash}`, sk: 'APIKEY' });

export const getApp = async (appId: string): Promise<AppRecord | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: appKey(appId), ConsistentRead: true }),
  );
  return Item ? AppRecord.parse(Item) : undefined;
};

/** The active app whose API key hashes to `hash`, if any. */
export const findActiveAppByKeyHash = async (hash: string): Promise<AppRecord | undefined> => {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: apiKeyIndexKey(hash) }),
  );
  const appId = Item?.appId;
  if (typeof appId !== 'string') return undefined;
  const app = await getApp(appId);
  return app?.status === 'active' && app.apiKeyHash === hash ? app : undefined;
};

/** What the broker's functions read of the apps. */
export const dynamoAppDirectory = (): AppDirectory => ({
  get: getApp,
  findActiveByKeyHash: findActiveAppByKeyHash,
});

export const newAppId = (): string => `app_${randomUUID().replaceAll('-', '')}`;

export const createApp = async (app: AppRecord): Promise<void> => {
  await documentClient().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: { ...appKey(app.appId), ...AppRecord.parse(app) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName: tableName(),
            Item: { ...apiKeyIndexKey(app.apiKeyHash), appId: app.appId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  );
};

export const listApps = async (): Promise<AppRecord[]> => {
  const apps: AppRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await documentClient().send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: 'sk = :app',
        ExpressionAttributeValues: { ':app': 'APP' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) apps.push(AppRecord.parse(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return apps;
};

export const setAppStatus = async (appId: string, status: AppRecord['status']): Promise<void> => {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: appKey(appId),
      UpdateExpression: 'SET #status = :status',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': status },
    }),
  );
};

/** Replaces the app's provider settings, validated as a whole: a bad setting is refused before any write. */
export const setAppProviders = async (appId: string, providers: AppRecord['providers']): Promise<void> => {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: appKey(appId),
      UpdateExpression: 'SET providers = :providers',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':providers': AppRecord.shape.providers.parse(providers) },
    }),
  );
};

/** Sets a usage key only where none is yet, so two runs cannot leave two plans' keys. */
export const setUsageKey = async (appId: string, usageKey: string): Promise<void> => {
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: appKey(appId),
      UpdateExpression: 'SET usageKey = :key',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(usageKey)',
      ExpressionAttributeValues: { ':key': usageKey },
    }),
  );
};

/** Replaces the app's API key: the old key stops working in the same transaction. */
export const replaceApiKeyHash = async (appId: string, oldHash: string, newHash: string): Promise<void> => {
  await documentClient().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: tableName(),
            Key: appKey(appId),
            UpdateExpression: 'SET apiKeyHash = :new',
            ConditionExpression: 'apiKeyHash = :old',
            ExpressionAttributeValues: { ':new': newHash, ':old': oldHash },
          },
        },
        { Delete: { TableName: tableName(), Key: apiKeyIndexKey(oldHash) } },
        {
          Put: {
            TableName: tableName(),
            Item: { ...apiKeyIndexKey(newHash), appId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ],
    }),
  );
};
