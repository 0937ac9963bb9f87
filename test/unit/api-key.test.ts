import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiKeyFromAuthorization, generateApiKey, hashApiKey } from '../../shared/apps/api-key.ts';

test('API keys are random, and only their SHA-256 is comparable', () => {
  const a = generateApiKey();
  const b = generateApiKey();
  assert.notEqual(a, b);
  assert.match(hashApiKey(a), /^[0-9a-f]{64}$/);
  assert.notEqual(hashApiKey(a), hashApiKey(b));
  assert.equal(hashApiKey(a), hashApiKey(a));
});

test('Authorization: Basic <key> is the only accepted form', () => {
  const key = generateApiKey();
  assert.equal(apiKeyFromAuthorization(`Basic ${key}`), key);
  assert.equal(apiKeyFromAuthorization(`basic ${key}`), key);
  for (const bad of [
    undefined,
    '',
    'Basic',
    `Bearer ${key}`,
    `Basic ${key} extra`,
    `Basic ${key}x`,
    'Basic spk_short',
  ]) {
    assert.equal(apiKeyFromAuthorization(bad), undefined, String(bad));
  }
});
