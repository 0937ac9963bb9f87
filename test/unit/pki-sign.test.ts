import assert from 'node:assert/strict';
import { createVerify, generateKeyPairSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { pkiBaseString, pkiSignHeader } from '../../shared/crypto/pki-sign.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const fixed = { nonce: '150590021034800', timestamp: '1505900210349' };

const parseHeader = (header: string) => {
  assert.match(header, /^PKI_SIGN /);
  return Object.fromEntries(
    [...header.slice('PKI_SIGN '.length).matchAll(/(\w+)="([^"]*)"/g)].map(
      ([, k, v]) => [k, v] as [string, string],
    ),
  );
};

describe('PKI_SIGN base string', () => {
  test('GET: method, URL without query, then every parameter sorted by name, values not encoded', () => {
    const base = pkiBaseString(
      {
        method: 'GET',
        url: 'https://test.api.myinfo.gov.sg/com/v3/person/S9812381D/',
        params: {
          client_id: 'STG2-MYINFO-SELF-TEST',
          attributes: 'name,email,mobileno',
          subentity: 'PARTNER001',
        },
        appId: 'STG2-MYINFO-SELF-TEST',
      },
      fixed,
    );
    assert.equal(
      base,
      'GET&https://test.api.myinfo.gov.sg/com/v3/person/S9812381D/' +
        '&app_id=STG2-MYINFO-SELF-TEST&attributes=name,email,mobileno&client_id=STG2-MYINFO-SELF-TEST' +
        '&nonce=150590021034800&signature_method=RS256&subentity=PARTNER001&timestamp=1505900210349',
    );
  });

  test('POST: the form body parameters take part, including the client secret and redirect URI', () => {
    const base = pkiBaseString(
      {
        method: 'POST',
        url: 'https://test.api.myinfo.gov.sg/com/v3/token',
        params: {
          grant_type: 'authorization_code',
          code: 'abc/def+ghi=',
          redirect_uri: 'https://app.example/callback?x=1',
          client_id: 'CID',
          client_secret: 's3cret',
          state: 'st',
        },
        appId: 'CID',
      },
      fixed,
    );
    assert.equal(
      base,
      'POST&https://test.api.myinfo.gov.sg/com/v3/token' +
        '&app_id=CID&client_id=CID&client_secret=s3cret&code=abc/def+ghi=&grant_type=authorization_code' +
        '&nonce=150590021034800&redirect_uri=https://app.example/callback?x=1&signature_method=RS256' +
        '&state=st&timestamp=1505900210349',
    );
  });
});

describe('PKI_SIGN header', () => {
  const request = {
    method: 'GET' as const,
    url: 'http://127.0.0.1:5156/myinfo/v3/person/S9812381D/',
    params: { client_id: 'CID', attributes: 'name,uinfin' },
    appId: 'CID',
  };

  test('lists app_id, nonce, signature_method, signature, timestamp in the spec order, signature RS256 over the base string', () => {
    const header = pkiSignHeader(request, privateKey, fixed);
    assert.deepEqual(
      [...header.matchAll(/(\w+)="/g)].map((m) => m[1]),
      ['app_id', 'nonce', 'signature_method', 'signature', 'timestamp'],
    );
    const fields = parseHeader(header);
    assert.equal(fields.signature_method, 'RS256');
    assert.equal(fields.nonce, fixed.nonce);
    const valid = createVerify('RSA-SHA256')
      .update(pkiBaseString(request, fixed))
      .verify(publicKey, fields.signature ?? '', 'base64');
    assert.ok(valid);
  });

  test('a fresh nonce and current timestamp on every call', () => {
    const a = parseHeader(pkiSignHeader(request, privateKey));
    const b = parseHeader(pkiSignHeader(request, privateKey));
    assert.notEqual(a.nonce, b.nonce);
    assert.ok(Math.abs(Number(a.timestamp) - Date.now()) < 5_000);
  });

  test("MockPass's own verifier accepts it (GET person and POST token)", () => {
    const require = createRequire(import.meta.url);
    const { pki } = require('@opengovsg/mockpass/lib/crypto/myinfo-signature.js') as {
      pki: (authHeader: string, req: object, context?: object) => { signature: string; baseString: string };
    };
    const asExpressRequest = (method: string, url: URL, query: object, body: object) => ({
      protocol: url.protocol.replace(':', ''),
      get: () => url.host,
      baseUrl: '',
      path: url.pathname,
      method,
      query,
      body,
    });
    const header = pkiSignHeader(request, privateKey);
    const fromMockpass = pki(
      header.slice('PKI_SIGN '.length),
      asExpressRequest('GET', new URL(request.url), request.params, {}),
    );
    assert.ok(
      createVerify('RSA-SHA256')
        .update(fromMockpass.baseString)
        .verify(publicKey, fromMockpass.signature, 'base64'),
    );

    const post = {
      method: 'POST' as const,
      url: 'http://127.0.0.1:5156/myinfo/v3/token',
      params: {
        grant_type: 'authorization_code',
        code: 'c0de',
        redirect_uri: 'http://127.0.0.1:3001/cb',
        client_id: 'CID',
        client_secret: 'sec',
      },
      appId: 'CID',
    };
    const postHeader = pkiSignHeader(post, privateKey);
    const postFromMockpass = pki(
      postHeader.slice('PKI_SIGN '.length),
      asExpressRequest('POST', new URL(post.url), {}, post.params),
      { client_secret: 'sec', redirect_uri: 'http://127.0.0.1:3001/cb' },
    );
    assert.ok(
      createVerify('RSA-SHA256')
        .update(postFromMockpass.baseString)
        .verify(publicKey, postFromMockpass.signature, 'base64'),
    );
  });
});
