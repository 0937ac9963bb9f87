import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { openText, sealText } from '../../shared/crypto/token-cipher.ts';

const current = { kid: 'k2', key: randomBytes(32) };
const previous = { kid: 'k1', key: randomBytes(32) };
const keys = new Map([
  [current.kid, current.key],
  [previous.kid, previous.key],
]);

test('sealed text opens with its key and context, and does not contain the plaintext', () => {
  const sealed = sealText('access-token-123', current, 'GRANT#a|app_1');
  assert.equal(sealed.kid, 'k2');
  assert.ok(!JSON.stringify(sealed).includes('access-token-123'));
  assert.equal(openText(sealed, keys, 'GRANT#a|app_1'), 'access-token-123');
  assert.notEqual(sealText('access-token-123', current, 'GRANT#a|app_1').data, sealed.data, 'fresh nonce');
});

test('text sealed under a rotated-out but still listed key opens', () => {
  assert.equal(openText(sealText('t', previous, 'c'), keys, 'c'), 't');
});

test('another context, a flipped bit or a retired key refuse to open', () => {
  const sealed = sealText('access-token-123', current, 'GRANT#a|app_1');
  assert.throws(() => openText(sealed, keys, 'GRANT#b|app_1'));
  assert.throws(() => openText(sealed, keys, 'GRANT#a|app_2'));
  const bytes = Buffer.from(sealed.data, 'base64url');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  assert.throws(() => openText({ ...sealed, data: bytes.toString('base64url') }, keys, 'GRANT#a|app_1'));
  assert.throws(() => openText(sealed, new Map([[previous.kid, previous.key]]), 'GRANT#a|app_1'));
});
