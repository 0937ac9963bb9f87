import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuthState, Provider, StateOf } from '../../core/auth-state.ts';
import { StateRefused } from '../../core/errors.ts';
import type { Clock, StateStore } from '../../core/ports.ts';
import type { StateSealing } from '../../core/state-sealing.ts';
import { documentClient, tableName } from './table.ts';

export const stateKey = (state: string) => ({ pk: `STATE#${state}`, sk: 'STATE' });

const save = async (sealing: StateSealing, state: AuthState): Promise<void> => {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...stateKey(state.state), ...(await sealing.forRest(state)), ttl: state.expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
};

const invalid = () => new StateRefused('invalid_state', 'The state is unknown.');

/** Marks the state used in one conditional write, which is what makes it single-use. */
const consume = async <P extends Provider>(
  { clock, sealing }: { clock: Clock; sealing: StateSealing },
  state: string,
  appId: string,
  provider: P,
): Promise<StateOf<P>> => {
  const now = clock.nowSeconds();
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: stateKey(state),
        // What only the code exchange needs (a DPoP private key, a verifier) leaves the table as the state is used.
        UpdateExpression: 'SET consumedAt = :now REMOVE fapi, sealedCodeVerifier',
        ConditionExpression:
          'attribute_exists(pk) AND attribute_not_exists(consumedAt) AND appId = :app AND provider = :provider AND expiresAt > :now',
        ExpressionAttributeValues: { ':now': now, ':app': appId, ':provider': provider },
        ReturnValues: 'ALL_OLD',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return sealing.fromRest<StateOf<P>>(Attributes ?? {});
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    throw refusal(error.Item ? unmarshall(error.Item) : undefined, appId, provider, now);
  }
};

const refusal = (
  item: Record<string, unknown> | undefined,
  appId: string,
  provider: Provider,
  now: number,
) => {
  if (!item || item.appId !== appId || item.provider !== provider) return invalid();
  if (item.consumedAt !== undefined)
    return new StateRefused('state_used', 'The state has already been used.');
  if (typeof item.expiresAt === 'number' && item.expiresAt <= now) {
    return new StateRefused('state_expired', 'The state has expired; start the flow again.');
  }
  return invalid();
};

/** Authorisation states in the single table, their secret parts sealed at rest. */
export const dynamoStateStore = (deps: { clock: Clock; sealing: StateSealing }): StateStore => ({
  save: (state) => save(deps.sealing, state),
  consume: (state, appId, provider) => consume(deps, state, appId, provider),
});
