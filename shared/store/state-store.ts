import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { JWK } from 'jose';
import { BadRequestError } from '../http/errors.ts';
import { openFromRest, sealForRest } from './sealed-state.ts';
import { documentClient, nowSeconds, tableName } from './table.ts';

interface StateBase {
  state: string;
  appId: string;
  /** Epoch seconds; also the TTL attribute, but TTL deletes late so every check compares it. */
  expiresAt: number;
  /** The exact redirect_uri sent to the upstream, which the token call must repeat. */
  redirectUri: string;
}

/** Myinfo and Myinfo Business: the attributes consented to, which the data call must repeat. */
type DataState = StateBase & { attributes: string };

/**
 * A Singpass FAPI 2.0 session: the PKCE verifier, the nonce and the DPoP key pair (private part
 * included) the PAR was made with. Removed from the table by the write that consumes the state.
 */
export interface FapiSession {
  /** The Singpass registration the PAR was made as; the code is redeemed as the same one. */
  clientId: string;
  codeVerifier: string;
  nonce: string;
  dpopKey: { privateJwk: JWK; publicJwk: JWK };
}

/** What an authorisation flow remembers between init and token, bound to one app. */
export type AuthState =
  | (DataState & { provider: 'myinfo'; fapi?: FapiSession })
  | (DataState & { provider: 'myinfobiz' })
  /** Singpass: the nonce the ID token must carry. */
  | (StateBase & { provider: 'singpass'; nonce: string; fapi?: FapiSession })
  /** CPFHub OAuth: the scope asked for and the PKCE verifier the code exchange must present. */
  | (StateBase & { provider: 'cpfhub'; scope: string; codeVerifier: string })
  /** SG-Verify: one QR code; redirectUri is Secpass's own callback. Not consumed by consumeState. */
  | (DataState & {
      provider: 'sgverify';
      qrType: 'static' | 'dynamic';
      kioskId?: string;
      scannedAt?: number;
    });

export type Provider = AuthState['provider'];

export const stateKey = (state: string) => ({ pk: `STATE#${state}`, sk: 'STATE' });

export const newStateValue = (): string => randomBytes(32).toString('base64url');

export const saveState = async (state: AuthState): Promise<void> => {
  await documentClient().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...stateKey(state.state), ...(await sealForRest(state)), ttl: state.expiresAt },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
};

const invalid = () => new BadRequestError('invalid_state', 'The state is unknown.');

/**
 * Marks the state used in one conditional write: of any number of concurrent calls exactly one
 * wins, and only for its own app, its own provider and before expiry. Another app's attempt
 * changes nothing and learns nothing beyond "unknown".
 */
export const consumeState = async <P extends Provider>(
  state: string,
  appId: string,
  provider: P,
): Promise<Extract<AuthState, { provider: P }>> => {
  const now = nowSeconds();
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
    return openFromRest<Extract<AuthState, { provider: P }>>(Attributes ?? {});
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
    return new BadRequestError('state_used', 'The state has already been used.');
  if (typeof item.expiresAt === 'number' && item.expiresAt <= now) {
    return new BadRequestError('state_expired', 'The state has expired; start the flow again.');
  }
  return invalid();
};
