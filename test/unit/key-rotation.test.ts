import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { useLocalEnvironment } from '../../local/local-environment.ts';
import { type SecretsEndpoint, startSecretsEndpoint } from '../../local/secrets-endpoint.ts';
import { secretsManagerSource } from '../../shared/adapters/secrets-manager.ts';
import { CpfhubSecret, cpfhubCredentialsFrom } from '../../shared/secrets/cpfhub-credentials.ts';
import { epochSeconds, type PrivateEcJwk } from '../../shared/secrets/private-ec-jwk.ts';
import {
  PublicKeysSecret,
  publishedJwksFrom,
  UnpublishedKeysError,
} from '../../shared/secrets/public-keys.ts';
import { PUBLISHED_AS, PublishError, withPublishedKeys } from '../../shared/secrets/publish-keys.ts';
import {
  describeKeySet,
  HOLD_SECONDS,
  type KeySet,
  pruneKeySet,
  RotationError,
  rotateKeySet,
} from '../../shared/secrets/rotation.ts';
import { SigningSecret, signingKeysFrom } from '../../shared/secrets/signing-keys.ts';
import { SingpassSecret, singpassKeysFrom } from '../../shared/secrets/singpass-keys.ts';
import { StateKeysSecret } from '../../shared/secrets/state-keys.ts';

const NOW = 1_800_000_000; // 2027-01-15T08:00:00Z
const SECPASS_HOLD = HOLD_SECONDS.secpassToken + HOLD_SECONDS.ourJwksCache + HOLD_SECONDS.secretCache;

const ecJwk = async (alg: 'ES256' | 'ECDH-ES+A256KW', kid: string): Promise<PrivateEcJwk> => {
  const { privateKey } = await generateKeyPair(alg, { crv: 'P-256', extractable: true });
  const { x = '', y = '', d = '' } = await exportJWK(privateKey);
  return { kty: 'EC', crv: 'P-256', kid, x, y, d };
};

const signingSecret = async (...kids: string[]) =>
  JSON.stringify({ keys: await Promise.all(kids.map((kid) => ecJwk('ES256', kid))) });

const singpassSecret = async (withFapi = true) =>
  JSON.stringify({
    clientId: 'secpass-test',
    signingKeys: [await ecJwk('ES256', 'rp-sig-old')],
    encryptionKeys: [await ecJwk('ECDH-ES+A256KW', 'rp-enc-old')],
    ...(withFapi
      ? {
          fapi: {
            signingKeys: [await ecJwk('ES256', 'fapi-sig-old')],
            encryptionKeys: [await ecJwk('ECDH-ES+A256KW', 'fapi-enc-old')],
          },
        }
      : {}),
  });

const cpfhubSecret = () =>
  JSON.stringify({
    apiKey: 'api-key',
    clientId: 'client',
    clientSecret: 'client-secret',
    tokenKeys: [{ kid: 'tokens-1', key: randomBytes(32).toString('base64') }],
  });

const rejects = (code: RotationError['code']) => (error: unknown) =>
  error instanceof RotationError && error.code === code;

describe('secpass-signing rotation', () => {
  test('the new key goes first, active after our JWKS max-age by default; the old one retires after tokens, JWKS and secret caches', async () => {
    const before = await signingSecret('secpass-old');
    const rotation = await rotateKeySet('secpass-signing', before, { now: NOW });
    const [added, old, ...rest] = SigningSecret.parse(JSON.parse(rotation.secret)).keys;
    assert.equal(rest.length, 0);
    assert.equal(added?.kid, 'secpass-20270115080000');
    assert.equal(added?.activeFrom, NOW + 300);
    assert.equal(added?.retireAfter, undefined);
    assert.equal(old?.kid, 'secpass-old');
    assert.equal(old?.retireAfter, NOW + 300 + SECPASS_HOLD);
    // The old key itself is kept byte for byte: tokens it signed keep verifying.
    assert.deepEqual(
      { ...old, retireAfter: undefined },
      { ...JSON.parse(before).keys[0], retireAfter: undefined },
    );
    assert.deepEqual(
      rotation.added.map(({ kid, use }) => `${use}:${kid}`),
      ['sig:secpass-20270115080000'],
    );
    assert.deepEqual(
      rotation.retiring.map(({ kid }) => kid),
      ['secpass-old'],
    );
  });

  test('the publish lead moves signing and the old key’s retirement alike, down to at once', async () => {
    for (const publishLead of [0, 600]) {
      const rotation = await rotateKeySet('secpass-signing', await signingSecret('secpass-old'), {
        now: NOW,
        publishLead,
      });
      const [added, old] = SigningSecret.parse(JSON.parse(rotation.secret)).keys;
      assert.equal(added?.activeFrom, NOW + publishLead);
      assert.equal(old?.retireAfter, NOW + publishLead + SECPASS_HOLD);
    }
  });

  test('keys past their retireAfter are dropped at the next rotation; those still needed stay', async () => {
    const atOnce = { publishLead: 0 };
    const first = await rotateKeySet('secpass-signing', await signingSecret('secpass-old'), {
      now: NOW,
      ...atOnce,
    });
    const early = await rotateKeySet('secpass-signing', first.secret, { now: NOW + 60, ...atOnce });
    assert.deepEqual(
      SigningSecret.parse(JSON.parse(early.secret)).keys.map(({ kid, retireAfter }) => [kid, retireAfter]),
      [
        ['secpass-20270115080100', undefined],
        ['secpass-20270115080000', NOW + 60 + SECPASS_HOLD],
        // Replaced a minute ago already: keeps its earlier date rather than being extended.
        ['secpass-old', NOW + SECPASS_HOLD],
      ],
    );
    const late = await rotateKeySet('secpass-signing', early.secret, {
      now: NOW + SECPASS_HOLD + 1,
      ...atOnce,
    });
    assert.deepEqual(
      late.dropped.map(({ kid }) => kid),
      ['secpass-old'],
    );
    assert.deepEqual(
      SigningSecret.parse(JSON.parse(late.secret)).keys.map(({ kid }) => kid),
      ['secpass-20270115091001', 'secpass-20270115080100', 'secpass-20270115080000'],
    );
  });

  test('prune drops only passed keys and never the key signing now', async () => {
    const rotated = await rotateKeySet('secpass-signing', await signingSecret('secpass-old'), {
      now: NOW,
      publishLead: 7200,
    });
    // Long after the old key's date, but the new one is still pending: the old one still signs.
    const [pending, old] = SigningSecret.parse(JSON.parse(rotated.secret)).keys;
    const stale = JSON.stringify({ keys: [pending, { ...old, retireAfter: NOW - 1 }] });
    const kept = pruneKeySet('secpass-signing', stale, NOW + 10);
    assert.deepEqual(kept.dropped, []);
    assert.equal(SigningSecret.parse(JSON.parse(kept.secret)).keys.length, 2);
    // Rotating that again gives the old key a fresh date: it signed until now.
    const again = await rotateKeySet('secpass-signing', stale, { now: NOW + 10, publishLead: 0 });
    const [, , stillOld] = SigningSecret.parse(JSON.parse(again.secret)).keys;
    assert.equal(stillOld?.retireAfter, NOW + 10 + SECPASS_HOLD);
    // Once the successor is active, the old key goes.
    const pruned = pruneKeySet('secpass-signing', rotated.secret, NOW + 7200 + SECPASS_HOLD + 1);
    assert.deepEqual(
      pruned.dropped.map(({ kid }) => kid),
      ['secpass-old'],
    );
  });

  test('a secret left with no active key is refused, not written', async () => {
    const [pending] = SigningSecret.parse(
      JSON.parse(
        (await rotateKeySet('secpass-signing', await signingSecret('x'), { now: NOW, publishLead: 60 }))
          .secret,
      ),
    ).keys;
    const onlyPending = JSON.stringify({ keys: [pending] });
    await assert.rejects(
      rotateKeySet('secpass-signing', onlyPending, { now: NOW + 1, publishLead: 60 }),
      rejects('no_active_key'),
    );
    assert.throws(() => pruneKeySet('secpass-signing', onlyPending, NOW), rejects('no_active_key'));
  });

  test('an empty, unparsable or invalid secret is refused with a clear message, naming no secret value', async () => {
    for (const secret of [undefined, '', '  ', '{}', 'not json', '[1]']) {
      await assert.rejects(
        rotateKeySet('secpass-signing', secret, { now: NOW }),
        rejects('unreadable_secret'),
      );
    }
    const key = await ecJwk('ES256', 'k');
    const invalid = JSON.stringify({ keys: [{ ...key, crv: 'P-384' }] });
    await assert.rejects(rotateKeySet('secpass-signing', invalid, { now: NOW }), (error: unknown) => {
      assert.ok(rejects('invalid_secret')(error));
      assert.match((error as Error).message, /keys\.0\.crv/);
      assert.equal((error as Error).message.includes(key.d), false);
      return true;
    });
  });

  test('two rotations in the same second would reuse a kid: refused', async () => {
    const once = await rotateKeySet('secpass-signing', await signingSecret('a'), { now: NOW });
    await assert.rejects(rotateKeySet('secpass-signing', once.secret, { now: NOW }), rejects('kid_taken'));
  });

  test('a negative or fractional publish lead is refused', async () => {
    for (const publishLead of [-1, 1.5]) {
      await assert.rejects(
        rotateKeySet('secpass-signing', await signingSecret('a'), { now: NOW, publishLead }),
        rejects('invalid_option'),
      );
    }
  });
});

describe('Singpass relying-party rotation', () => {
  test('singpass-rp: signing key first but pending an hour, encryption key first and active, old ones retire after lead + an hour', async () => {
    const before = SingpassSecret.parse(JSON.parse(await singpassSecret()));
    const rotation = await rotateKeySet('singpass-rp', JSON.stringify(before), { now: NOW });
    const after = SingpassSecret.parse(JSON.parse(rotation.secret));
    assert.deepEqual(
      after.signingKeys.map(({ kid, activeFrom, retireAfter }) => [kid, activeFrom, retireAfter]),
      [
        ['singpass-sig-20270115080000', NOW + 3600, undefined],
        ['rp-sig-old', undefined, NOW + 7200],
      ],
    );
    assert.deepEqual(
      after.encryptionKeys.map(({ kid, activeFrom, retireAfter }) => [kid, activeFrom, retireAfter]),
      [
        ['singpass-enc-20270115080000', undefined, undefined],
        ['rp-enc-old', undefined, NOW + 7200],
      ],
    );
    assert.deepEqual(after.fapi, before.fapi, 'the FAPI registration is another key set');
    assert.equal(after.clientId, before.clientId);
    assert.match(rotation.notes.join(' '), /2027-01-15T09:00:00\.000Z/);
  });

  test('singpass-fapi rotates only the fapi registration, with fapi- kids and its own lead', async () => {
    const before = SingpassSecret.parse(JSON.parse(await singpassSecret()));
    const rotation = await rotateKeySet('singpass-fapi', JSON.stringify(before), {
      now: NOW,
      publishLead: 900,
    });
    const after = SingpassSecret.parse(JSON.parse(rotation.secret));
    assert.deepEqual(after.signingKeys, before.signingKeys);
    assert.deepEqual(after.encryptionKeys, before.encryptionKeys);
    assert.deepEqual(
      after.fapi?.signingKeys.map(({ kid, activeFrom, retireAfter }) => [kid, activeFrom, retireAfter]),
      [
        ['fapi-sig-20270115080000', NOW + 900, undefined],
        ['fapi-sig-old', undefined, NOW + 900 + 3600],
      ],
    );
    assert.deepEqual(
      after.fapi?.encryptionKeys.map(({ kid }) => kid),
      ['fapi-enc-20270115080000', 'fapi-enc-old'],
    );
  });

  test('singpass-fapi without a FAPI registration is refused', async () => {
    await assert.rejects(
      rotateKeySet('singpass-fapi', await singpassSecret(false), { now: NOW }),
      rejects('no_fapi_registration'),
    );
  });
});

describe('CPFHub token-key rotation', () => {
  test('a new 32-byte key seals at once; the old one opens grants for 31 days; no publish lead applies', async () => {
    const rotation = await rotateKeySet('cpfhub-token', cpfhubSecret(), { now: NOW });
    const after = CpfhubSecret.parse(JSON.parse(rotation.secret));
    const [added, old] = after.tokenKeys;
    assert.equal(added?.kid, 'tokens-20270115080000');
    assert.equal(Buffer.from(added?.key ?? '', 'base64').length, 32);
    assert.equal(old?.kid, 'tokens-1');
    assert.equal(old?.retireAfter, NOW + 31 * 24 * 3600);
    assert.equal(after.apiKey, 'api-key');
    assert.match(rotation.notes.join(' '), /30 days/);
    await assert.rejects(
      rotateKeySet('cpfhub-token', cpfhubSecret(), { now: NOW, publishLead: 0 }),
      rejects('invalid_option'),
    );
  });

  test('state-keys: a new AES key seals pending flows at once; the old one opens them for their 10 minutes and more', async () => {
    const before = JSON.stringify({ keys: [{ kid: 'states-1', key: randomBytes(32).toString('base64') }] });
    const rotation = await rotateKeySet('state-keys', before, { now: NOW });
    const [added, old] = StateKeysSecret.parse(JSON.parse(rotation.secret)).keys;
    assert.equal(added?.kid, 'states-20270115080000');
    assert.equal(Buffer.from(added?.key ?? '', 'base64').length, 32);
    assert.equal(old?.kid, 'states-1');
    assert.equal(old?.retireAfter, NOW + 900);
  });
});

describe('key listing', () => {
  test('status and current key per list, and never key material', async () => {
    const original = await singpassSecret();
    const rotated = await rotateKeySet('singpass-rp', original, { now: NOW });
    const describe = (now: number) =>
      describeKeySet('singpass-rp', rotated.secret, now).map(({ list, kid, status, current }) => ({
        list,
        kid,
        status,
        current,
      }));
    assert.deepEqual(describe(NOW + 10), [
      {
        list: 'signingKeys',
        kid: 'singpass-sig-20270115080000',
        status: 'pending until 2027-01-15T09:00:00.000Z',
        current: false,
      },
      {
        list: 'signingKeys',
        kid: 'rp-sig-old',
        status: 'retiring after 2027-01-15T10:00:00.000Z',
        current: true,
      },
      { list: 'encryptionKeys', kid: 'singpass-enc-20270115080000', status: 'active', current: true },
      {
        list: 'encryptionKeys',
        kid: 'rp-enc-old',
        status: 'retiring after 2027-01-15T10:00:00.000Z',
        current: false,
      },
    ]);
    assert.deepEqual(
      describe(NOW + 7201).map(({ status, current }) => [status, current]),
      [
        ['active', true],
        ['retired since 2027-01-15T10:00:00.000Z', false],
        ['active', true],
        ['retired since 2027-01-15T10:00:00.000Z', false],
      ],
    );
    const printed = JSON.stringify([describeKeySet('singpass-rp', rotated.secret, NOW), rotated.added]);
    const secret = SingpassSecret.parse(JSON.parse(rotated.secret));
    for (const key of [...secret.signingKeys, ...secret.encryptionKeys]) {
      assert.equal(printed.includes(key.d), false);
      assert.equal(printed.includes(key.x), false);
    }
    assert.equal(
      JSON.stringify(describeKeySet('cpfhub-token', cpfhubSecret(), NOW)).includes('"key"'),
      false,
    );
  });
});

describe('loaders after a rotation', () => {
  let secrets: SecretsEndpoint;
  // What the functions read, through the Secrets Manager adapter.
  const source = secretsManagerSource();
  const unset = (setting: string) => () => ({ value: undefined, setting });
  const loadSigningKeys = signingKeysFrom(source, () => 'test/signing');
  const loadPublishedJwks = publishedJwksFrom(source, () => 'test/public-keys');
  const loadSingpassKeys = singpassKeysFrom(source, () => 'test/singpass', unset('SINGPASS_CLIENT_ID'));
  const loadCpfhubCredentials = cpfhubCredentialsFrom(source, () => 'test/cpfhub', unset('CPFHUB_CLIENT_ID'));
  before(async () => {
    secrets = await startSecretsEndpoint();
    useLocalEnvironment({
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      SECRETS_CACHE_SECONDS: '0',
    });
    secrets.put('test/public-keys', '{}');
  });
  after(async () => {
    await secrets?.stop();
  });

  /** As `npm run keys -- rotate` does: the public halves published first, then the private secret. */
  const rotateInto = async (id: string, keySet: KeySet, secret: string, publishLead?: number) => {
    const rotation = await rotateKeySet(keySet, secret, { now: epochSeconds(), publishLead });
    const published = PUBLISHED_AS[keySet];
    if (published) {
      const current = secrets.read('test/public-keys');
      secrets.put('test/public-keys', withPublishedKeys(current, published, rotation.secret));
    }
    secrets.put(id, rotation.secret);
    return rotation;
  };

  test('a JWKS never published answers a typed error naming the command to run', async () => {
    await assert.rejects(
      loadPublishedJwks('secpass'),
      (error: unknown) =>
        error instanceof UnpublishedKeysError && /npm run keys -- publish/.test(error.message),
    );
  });

  test('Secpass tokens: a pending first key is published but the first active one signs; no d nor schedule published', async () => {
    const original = await signingSecret('secpass-old');
    await rotateInto('test/signing', 'secpass-signing', original, 3600);
    const pending = await loadSigningKeys();
    assert.equal(pending.current.kid, 'secpass-old');
    const published = await loadPublishedJwks('secpass');
    assert.equal(published.length, 2);
    for (const jwk of published) {
      assert.deepEqual(Object.keys(jwk).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    }

    const { added } = await rotateInto('test/signing', 'secpass-signing', original, 0);
    assert.equal((await loadSigningKeys()).current.kid, added[0]?.kid);
  });

  test('Singpass: the old signing key signs while the new one is pending; every encryption key decrypts', async () => {
    const rotation = await rotateInto('test/singpass', 'singpass-rp', await singpassSecret());
    const keys = await loadSingpassKeys();
    assert.equal(keys.signing.kid, 'rp-sig-old');
    assert.equal(keys.fapi?.signing.kid, 'fapi-sig-old');
    assert.deepEqual(
      [...keys.decryption.keys()].sort(),
      ['fapi-enc-old', 'rp-enc-old', rotation.added.find(({ use }) => use === 'enc')?.kid].sort(),
    );
    const published = await loadPublishedJwks('singpass');
    assert.deepEqual(
      published.map(({ kid }) => kid),
      [
        ...rotation.added.filter(({ use }) => use === 'sig').map(({ kid }) => kid),
        'rp-sig-old',
        ...rotation.added.filter(({ use }) => use === 'enc').map(({ kid }) => kid),
        'rp-enc-old',
        'fapi-sig-old',
        'fapi-enc-old',
      ],
    );
    for (const jwk of published) {
      assert.equal('d' in jwk || 'activeFrom' in jwk || 'retireAfter' in jwk, false);
    }
    // Publishing Singpass's keys kept the Secpass JWKS's (published by the earlier test).
    assert.ok((await loadPublishedJwks('secpass')).length > 0);
  });

  test('CPFHub: the new key seals, both open; nothing of it is published', async () => {
    const before = secrets.read('test/public-keys');
    const rotation = await rotateInto('test/cpfhub', 'cpfhub-token', cpfhubSecret());
    assert.equal(secrets.read('test/public-keys'), before);
    const credentials = await loadCpfhubCredentials();
    assert.equal(credentials.sealingKey.kid, rotation.added[0]?.kid);
    assert.deepEqual([...credentials.openingKeys.keys()], [rotation.added[0]?.kid, 'tokens-1']);
  });
});

describe('the public keys secret', () => {
  test('publishing one JWKS keeps the other’s keys; the result holds public halves only', async () => {
    const signing = await signingSecret('secpass-1', 'secpass-0');
    const withSecpass = withPublishedKeys('{}', 'secpass', signing);
    const both = withPublishedKeys(withSecpass, 'singpass', await singpassSecret());
    const parsed = PublicKeysSecret.parse(JSON.parse(both));
    assert.deepEqual(
      parsed.secpass?.map(({ kid }) => kid),
      ['secpass-1', 'secpass-0'],
    );
    assert.deepEqual(
      parsed.singpass?.map(({ kid, use }) => `${use}:${kid}`),
      ['sig:rp-sig-old', 'enc:rp-enc-old', 'sig:fapi-sig-old', 'enc:fapi-enc-old'],
    );
    assert.doesNotMatch(both, /"d"/);
    // Publishing again after a rotation replaces that JWKS only.
    const rotated = await rotateKeySet('secpass-signing', signing, { now: NOW });
    const republished = PublicKeysSecret.parse(
      JSON.parse(withPublishedKeys(both, 'secpass', rotated.secret)),
    );
    assert.equal(republished.secpass?.length, 3);
    assert.deepEqual(republished.singpass, parsed.singpass);
  });

  test('a key with a private part (or any field beyond the public ones) is refused, never published', async () => {
    const [privateJwk] = JSON.parse(await signingSecret('leaked')).keys as PrivateEcJwk[];
    assert.ok(privateJwk);
    const withPrivate = JSON.stringify({ secpass: [{ ...privateJwk, use: 'sig', alg: 'ES256' }] });
    assert.equal(PublicKeysSecret.safeParse(JSON.parse(withPrivate)).success, false);
    assert.throws(() => withPublishedKeys(withPrivate, 'singpass', '{}'), PublishError);
  });

  test('an invalid private secret is refused with its paths, never its values', async () => {
    const broken = JSON.stringify({ keys: [{ kty: 'EC', crv: 'P-256', kid: 'k', x: 'secret-x' }] });
    assert.throws(
      () => withPublishedKeys('{}', 'secpass', broken),
      (error: unknown) =>
        error instanceof PublishError &&
        error.code === 'invalid_secret' &&
        /keys\.0/.test(error.message) &&
        !error.message.includes('secret-x'),
    );
    assert.throws(() => withPublishedKeys('{}', 'secpass', 'not json'), PublishError);
  });
});
