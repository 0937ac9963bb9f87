import type { Clock } from '../../shared/core/ports.ts';
import {
  type CpfhubPorts,
  type GrantRecord,
  type GrantStore,
  grantDigest,
} from '../../shared/providers/cpfhub/ports.ts';

/**
 * CPFHub's ports in memory, for unit tests, with the rules of the DynamoDB adapter
 * (shared/adapters/dynamodb/cpfhub-grants.ts; both are held to test/support/grant-store-contract.ts):
 * grants keyed by the grant id's digest only, a refresh leased to one caller and saved only over
 * the version it started from, the doubt a lease leaves until a clean refresh ends it, expiry
 * checked on every read, deletion only by the owning app.
 */

/** A clock the test moves by hand, to the millisecond; it serves as the common `Clock` too. */
export const manualMillisClock = (
  startSeconds = 1_800_000_000,
): Clock & { nowMillis(): number; advance(seconds: number): void; advanceMillis(ms: number): void } => {
  let now = startSeconds * 1000;
  return {
    nowSeconds: () => Math.floor(now / 1000),
    nowMillis: () => now,
    advance: (seconds) => {
      now += seconds * 1000;
    },
    advanceMillis: (ms) => {
      now += ms;
    },
  };
};

/** What a failed conditional write throws here (DynamoDB's is a ConditionalCheckFailedException). */
export class ConditionFailed extends Error {
  override readonly name = 'ConditionFailed';
}

export type MemoryGrantStore = GrantStore & {
  /** The record as stored, by grant id (keyed by its digest, as the table does). */
  peek(grantId: string): GrantRecord | undefined;
  /** Everything the store holds, keys included, to check nothing is in the clear. */
  dump(): string;
  /** Overwrites stored fields, as a test's setup would write the table directly. */
  poke(grantId: string, fields: Partial<GrantRecord>): void;
};

export const memoryGrantStore = (nowMillis: () => number): MemoryGrantStore => {
  const grants = new Map<string, GrantRecord>();
  const keyOf = (grantId: string) => `GRANT#${grantDigest(grantId)}`;
  const copy = (record: GrantRecord): GrantRecord => structuredClone(record);
  const current = (grantId: string, version: number) => {
    const record = grants.get(keyOf(grantId));
    return record && record.version === version ? record : undefined;
  };

  return {
    peek: (grantId) => {
      const record = grants.get(keyOf(grantId));
      return record && copy(record);
    },
    dump: () => JSON.stringify([...grants.entries()]),
    poke: (grantId, fields) => {
      const record = grants.get(keyOf(grantId));
      if (!record) throw new Error('no such grant');
      grants.set(keyOf(grantId), { ...record, ...fields });
    },

    create: async (grantId, record) => {
      if (grants.has(keyOf(grantId))) throw new ConditionFailed('grant exists');
      grants.set(keyOf(grantId), copy(record));
    },

    read: async (grantId, appId) => {
      const record = grants.get(keyOf(grantId));
      if (!record || record.appId !== appId || record.expiresAt <= nowMillis() / 1000) return undefined;
      return copy(record);
    },

    leaseRefresh: async (grantId, version, until) => {
      const now = nowMillis();
      const record = current(grantId, version);
      if (!record || (record.refreshLeaseUntil !== undefined && record.refreshLeaseUntil >= now)) {
        return undefined;
      }
      const before = copy(record);
      grants.set(keyOf(grantId), {
        ...record,
        refreshLeaseUntil: until,
        refreshInDoubtSince: record.refreshInDoubtSince ?? now,
      });
      return before;
    },

    saveRefresh: async (grantId, version, update) => {
      const record = current(grantId, version);
      if (!record) throw new ConditionFailed('the grant is gone or its version moved');
      const { refreshLeaseUntil: _lease, refreshInDoubtSince: _doubt, ...kept } = record;
      grants.set(keyOf(grantId), { ...kept, ...structuredClone(update), version: version + 1 });
    },

    releaseLease: async (grantId, version, stillInDoubt) => {
      const record = current(grantId, version);
      if (!record) return;
      const { refreshLeaseUntil: _lease, refreshInDoubtSince, ...kept } = record;
      grants.set(
        keyOf(grantId),
        stillInDoubt && refreshInDoubtSince !== undefined ? { ...kept, refreshInDoubtSince } : kept,
      );
    },

    remove: async (grantId, appId) => {
      const record = grants.get(keyOf(grantId));
      if (!record || record.appId !== appId) return false;
      grants.delete(keyOf(grantId));
      return true;
    },
  };
};

export const memoryCpfhubPorts = (
  clock: { nowMillis(): number } = manualMillisClock(),
): CpfhubPorts & { grants: MemoryGrantStore } => ({
  grants: memoryGrantStore(() => clock.nowMillis()),
  nowMillis: () => clock.nowMillis(),
});
