import assert from 'node:assert/strict';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { signedQrUrl } from '../../shared/providers/sgverify/qr-url.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const request = {
  qrBaseUrl: 'https://app.singpass.gov.sg/sgverify',
  callback: 'https://secpass.example/v1/sgverify/callback',
  clientId: 'STG2-SGVERIFY-SELF-TEST',
  qrType: 'dynamic' as const,
  nonce: '4110833',
  state: 'abc123',
  startsAt: 1570702210000,
  expiresAt: 1602324610000,
};

test('the QR URL lists the parameters in the spec order and ends with the signature', () => {
  const url = signedQrUrl(request, privateKey);
  const [unsigned] = url.split('&signature=');
  assert.equal(
    unsigned,
    'https://app.singpass.gov.sg/sgverify?callback=https%3A%2F%2Fsecpass.example%2Fv1%2Fsgverify%2Fcallback' +
      '&client_id=STG2-SGVERIFY-SELF-TEST&nonce=4110833&qr_type=dynamic&signature_method=RS256&state=abc123' +
      '&timestamp_expiry=1602324610000&timestamp_start=1570702210000&v=2',
  );
});

test('the signature is RS256 over the exact URL before it, and a changed URL no longer verifies', () => {
  const url = signedQrUrl(request, privateKey);
  const at = url.indexOf('&signature=');
  const unsigned = url.slice(0, at);
  const signature = url.slice(at + '&signature='.length);
  assert.ok(createVerify('RSA-SHA256').update(unsigned).verify(publicKey, signature, 'base64'));
  const tampered = unsigned.replace('state=abc123', 'state=abc124');
  assert.equal(createVerify('RSA-SHA256').update(tampered).verify(publicKey, signature, 'base64'), false);
});

test('a static code carries no nonce', () => {
  const url = signedQrUrl({ ...request, qrType: 'static', nonce: undefined }, privateKey);
  assert.equal(new URL(url).searchParams.has('nonce'), false);
  assert.equal(new URL(url).searchParams.get('qr_type'), 'static');
});
