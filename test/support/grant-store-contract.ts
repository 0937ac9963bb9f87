import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { GrantRecord, GrantStore } from '../../shared/providers/cpfhub/ports.ts';

const newGrantId = () => randomBytes(32).toString('base64url');

const FIELDS = [
  'appId',
  'scope',
  'tokens',
  'accessExpiresAt',
  'expiresAt',
  'version',
  'refreshLeaseUntil',
  'refreshInDoubtSince',
] as const;

/** The record's own fields: a store may keep its keys and TTL beside them. */
const fieldsOf = (record: GrantRecord | undefined) =>
  record &&
  Object.fromEntries(FIELDS.filter((name) => record[name] !== undefined).map((name) => [name, record[name]]));

/**
 * The rules every CPFHub GrantStore keeps, whatever it stores in: the unit tests run them in
 * memory, the integration tests against DynamoDB Local, so the in-memory store cannot drift from
 * the real one. `nowMillis` is the store's own clock.
 */
export const grantStoreRules = (
  name: string,
  setup: () => { store: GrantStore; nowMillis: () => number },
) => {
  const fresh = async (store: GrantStore, nowMillis: () => number, overrides: Partial<GrantRecord> = {}) => {
    const grantId = newGrantId();
    const record: GrantRecord = {
      appId: 'app_a',
      scope: 'cpf_statement:read',
      tokens: { kid: 'k1', iv: 'aXY', data: 'c2VhbGVk' },
      accessExpiresAt: nowMillis() + 60_000,
      expiresAt: Math.floor(nowMillis() / 1000) + 3_600,
      version: 0,
      ...overrides,
    };
    await store.create(grantId, record);
    return { grantId, record };
  };

  describe(`grant store rules (${name})`, () => {
    test('a grant is read back by its own app only, and cannot be created twice', async () => {
      const { store, nowMillis } = setup();
      const { grantId, record } = await fresh(store, nowMillis);
      assert.deepEqual(fieldsOf(await store.read(grantId, 'app_a')), record);
      assert.equal(await store.read(grantId, 'app_b'), undefined);
      assert.equal(await store.read(newGrantId(), 'app_a'), undefined);
      await assert.rejects(store.create(grantId, record));
    });

    test('an expired grant is not read although it is still stored', async () => {
      const { store, nowMillis } = setup();
      const { grantId } = await fresh(store, nowMillis, { expiresAt: Math.floor(nowMillis() / 1000) - 1 });
      assert.equal(await store.read(grantId, 'app_a'), undefined);
    });

    test('of concurrent leases on a version exactly one wins, and the grant is then in doubt', async () => {
      const { store, nowMillis } = setup();
      const { grantId, record } = await fresh(store, nowMillis);
      const until = nowMillis() + 10_000;
      const leases = await Promise.all(
        Array.from({ length: 5 }, () => store.leaseRefresh(grantId, 0, until)),
      );
      const won = leases.filter((lease) => lease !== undefined);
      assert.equal(won.length, 1);
      assert.deepEqual(fieldsOf(won[0]), record, 'the grant as it stood before the lease');
      const leased = await store.read(grantId, 'app_a');
      assert.equal(leased?.refreshLeaseUntil, until);
      assert.ok(leased?.refreshInDoubtSince !== undefined);
      assert.equal(await store.leaseRefresh(grantId, 1, until), undefined, 'not another version');
      assert.equal(await store.leaseRefresh(newGrantId(), 0, until), undefined, 'not an unknown grant');
    });

    test('a lease that ran out can be taken again; the doubt it left stays', async () => {
      const { store, nowMillis } = setup();
      const { grantId } = await fresh(store, nowMillis);
      const first = await store.leaseRefresh(grantId, 0, nowMillis() - 1);
      assert.ok(first);
      const doubtSince = (await store.read(grantId, 'app_a'))?.refreshInDoubtSince;
      const second = await store.leaseRefresh(grantId, 0, nowMillis() + 10_000);
      assert.ok(second, 'the earlier lease had ended');
      assert.equal(
        second.refreshInDoubtSince,
        doubtSince,
        'what the new lease found: an earlier refresh in doubt',
      );
      assert.equal((await store.read(grantId, 'app_a'))?.refreshInDoubtSince, doubtSince);
    });

    test('a refresh is saved over its version only: the version moves and the lease and doubt end', async () => {
      const { store, nowMillis } = setup();
      const { grantId } = await fresh(store, nowMillis);
      assert.ok(await store.leaseRefresh(grantId, 0, nowMillis() + 10_000));
      const update = {
        tokens: { kid: 'k2', iv: 'bmV3', data: 'bmV3LXNlYWxlZA' },
        accessExpiresAt: nowMillis() + 120_000,
        expiresAt: Math.floor(nowMillis() / 1000) + 7_200,
        scope: 'cpf_statement:read cpf_contribution:read',
      };
      await store.saveRefresh(grantId, 0, update);
      const saved = await store.read(grantId, 'app_a');
      assert.deepEqual(fieldsOf(saved), { appId: 'app_a', ...update, version: 1 });
      await assert.rejects(store.saveRefresh(grantId, 0, update), 'not over a version that moved');
      await assert.rejects(store.saveRefresh(newGrantId(), 0, update), 'not onto a grant that is gone');
      assert.ok(await store.leaseRefresh(grantId, 1, nowMillis() + 10_000), 'the new version can be leased');
    });

    test('a released lease frees the grant at once, keeping the doubt only when asked', async () => {
      const { store, nowMillis } = setup();
      const { grantId } = await fresh(store, nowMillis);
      assert.ok(await store.leaseRefresh(grantId, 0, nowMillis() + 10_000));
      await store.releaseLease(grantId, 0, true);
      const kept = await store.read(grantId, 'app_a');
      assert.equal(kept?.refreshLeaseUntil, undefined);
      assert.ok(kept?.refreshInDoubtSince !== undefined, 'still in doubt');
      assert.ok(await store.leaseRefresh(grantId, 0, nowMillis() + 10_000), 'leased again at once');
      await store.releaseLease(grantId, 0, false);
      const cleared = await store.read(grantId, 'app_a');
      assert.equal(cleared?.refreshLeaseUntil, undefined);
      assert.equal(cleared?.refreshInDoubtSince, undefined, 'doubt ended');
      await store.releaseLease(grantId, 7, false);
      await store.releaseLease(newGrantId(), 0, false);
    });

    test('a grant is removed by its own app only, once', async () => {
      const { store, nowMillis } = setup();
      const { grantId } = await fresh(store, nowMillis);
      assert.equal(await store.remove(grantId, 'app_b'), false);
      assert.ok(await store.read(grantId, 'app_a'), 'another app’s attempt leaves it');
      assert.equal(await store.remove(grantId, 'app_a'), true);
      assert.equal(await store.read(grantId, 'app_a'), undefined);
      assert.equal(await store.remove(grantId, 'app_a'), false);
    });
  });
};
