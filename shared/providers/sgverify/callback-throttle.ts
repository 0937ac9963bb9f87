import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { documentClient, nowSeconds, tableName } from '../../store/table.ts';
import { TooManyCallbacksError } from './callback-errors.ts';

/**
 * How often one QR code's public callback may make Secpass call SG-Verify and fail. The state is
 * printed on the code (a static one for up to a year), so anyone who has seen it can send made-up
 * codes; without a limit each one is a signed request to SG-Verify on our credentials.
 *
 * One item per state holds a fixed window that opens at its first attempt. An attempt is counted
 * when it is taken, before SG-Verify is called, and given back only when the callback succeeds: a
 * burst of concurrent made-up codes is counted as it arrives instead of slipping past a limit that
 * would only see failures after they land.
 *
 * A success gives back its own attempt and nothing more: resetting the count would let one real
 * scan (or a replayed real code) open the door to another round of made-up ones. So while a window
 * is full, real visitors of that code are refused too, but never beyond the window's end; the
 * Retry-After says when. Someone who keeps a static code full this way costs SG-Verify at most
 * FAILED_CALLBACK_LIMIT calls per window, and the kiosk can show a fresh code.
 */
export const FAILED_CALLBACK_LIMIT = 5;
export const FAILURE_WINDOW_SECONDS = 600;

const throttleKey = (state: string) => ({ pk: `CALLBACK_FAILURES#${state}`, sk: 'CALLBACK_FAILURES' });

/** A counted attempt: the window it was counted in, so it is given back to that window only. */
export interface CallbackAttempt {
  state: string;
  windowEndsAt: number;
}

interface Counted {
  outcome: 'counted' | 'full' | 'expired';
  windowEndsAt: number;
}

/** Counts one attempt in the open window (opening one if there is none), unless it is full or over. */
const countInOpenWindow = async (state: string, now: number): Promise<Counted> => {
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
          ':end': now + FAILURE_WINDOW_SECONDS,
          ':now': now,
          ':limit': FAILED_CALLBACK_LIMIT,
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
const openNewWindow = async (state: string, expiredEnd: number, now: number): Promise<boolean> => {
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
          ':end': now + FAILURE_WINDOW_SECONDS,
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

/**
 * Counts this callback as a failure until it succeeds, or throws TooManyCallbacksError, with the
 * seconds left in the window, when the state has had FAILED_CALLBACK_LIMIT of them already.
 */
export const takeCallbackAttempt = async (state: string): Promise<CallbackAttempt> => {
  for (let tries = 0; tries < MAX_TRIES; tries += 1) {
    const now = nowSeconds();
    const counted = await countInOpenWindow(state, now);
    if (counted.outcome === 'counted') return { state, windowEndsAt: counted.windowEndsAt };
    if (counted.outcome === 'full') throw new TooManyCallbacksError(counted.windowEndsAt - now);
    if (await openNewWindow(state, counted.windowEndsAt, now)) {
      return { state, windowEndsAt: now + FAILURE_WINDOW_SECONDS };
    }
  }
  // Only under a pathological race; refusing is the side that keeps SG-Verify unasked.
  throw new TooManyCallbacksError(FAILURE_WINDOW_SECONDS);
};

/** Gives a successful callback's attempt back to the window it was counted in, if that window is still open. */
export const returnCallbackAttempt = async (attempt: CallbackAttempt): Promise<void> => {
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
