import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Clock } from '../../core/ports.ts';
import type {
  AttemptCount,
  CallbackAttempt,
  CallbackThrottle,
  ThrottleLimits,
} from '../../providers/sgverify/ports.ts';
import { documentClient, tableName } from './table.ts';

/**
 * One item per QR state holds a fixed window that opens at its first attempt. Conditional writes
 * are what make the limit hold under a burst of concurrent callbacks.
 */
const throttleKey = (state: string) => ({ pk: `CALLBACK_FAILURES#${state}`, sk: 'CALLBACK_FAILURES' });

interface Counted {
  outcome: 'counted' | 'full' | 'expired';
  windowEndsAt: number;
}

/** Counts one attempt in the open window (opening one if there is none), unless it is full or over. */
const countInOpenWindow = async (state: string, limits: ThrottleLimits, now: number): Promise<Counted> => {
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: throttleKey(state),
        UpdateExpression:
          'ADD failures :one SET windowEndsAt = if_not_exists(windowEndsAt, :end), #ttl = if_not_exists(#ttl, :end)',
        ConditionExpression: 'attribute_not_exists(pk) OR (windowEndsAt > :now AND failures < :limit)',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':end': now + limits.windowSeconds,
          ':now': now,
          ':limit': limits.limit,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return { outcome: 'counted', windowEndsAt: Number(Attributes?.windowEndsAt) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    // The condition fails only on an existing item, so the old one is there to read.
    const windowEndsAt = Number(error.Item ? unmarshall(error.Item).windowEndsAt : 0);
    return { outcome: windowEndsAt > now ? 'full' : 'expired', windowEndsAt };
  }
};

/**
 * Replaces an expired window with a fresh one holding this attempt; false when another attempt
 * replaced it first (TTL deletes late, so an expired item may linger for days).
 */
const openNewWindow = async (
  state: string,
  limits: ThrottleLimits,
  expiredEnd: number,
  now: number,
): Promise<boolean> => {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: throttleKey(state),
        UpdateExpression: 'SET failures = :one, windowEndsAt = :end, #ttl = :end',
        ConditionExpression: 'windowEndsAt = :expired',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: {
          ':one': 1,
          ':end': now + limits.windowSeconds,
          ':expired': expiredEnd,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

// Losing the race to reopen a window means another attempt just reopened it; the next count lands.
const MAX_TRIES = 3;

const take = async (clock: Clock, state: string, limits: ThrottleLimits): Promise<AttemptCount> => {
  for (let tries = 0; tries < MAX_TRIES; tries += 1) {
    const now = clock.nowSeconds();
    const counted = await countInOpenWindow(state, limits, now);
    if (counted.outcome === 'counted') return { counted: { state, windowEndsAt: counted.windowEndsAt } };
    if (counted.outcome === 'full') return { refusedForSeconds: counted.windowEndsAt - now };
    if (await openNewWindow(state, limits, counted.windowEndsAt, now)) {
      return { counted: { state, windowEndsAt: now + limits.windowSeconds } };
    }
  }
  // Only under a pathological race; refusing is the side that keeps the upstream unasked.
  return { refusedForSeconds: limits.windowSeconds };
};

const giveBack = async (attempt: CallbackAttempt): Promise<void> => {
  try {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: throttleKey(attempt.state),
        UpdateExpression: 'ADD failures :minusOne',
        ConditionExpression: 'windowEndsAt = :end AND failures > :zero',
        ExpressionAttributeValues: { ':minusOne': -1, ':end': attempt.windowEndsAt, ':zero': 0 },
      }),
    );
  } catch (error) {
    // A window that has since closed or been replaced has nothing of ours to give back.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

export const dynamoCallbackThrottle = ({ clock }: { clock: Clock }): CallbackThrottle => ({
  take: (state, limits) => take(clock, state, limits),
  giveBack,
});
