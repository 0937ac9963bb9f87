import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { createPkiSignVerifier } from '@secpass/simulators/pki-sign-verifier';
import { pkiSignHeader } from '../../shared/crypto/pki-sign.ts';

/**
 * Secpass's PKI_SIGN signer against the verifier of the Myinfo Business simulator
 * (@secpass/simulators), which is written from Myinfo's published rules apart from it. This check
 * lives here, not in the simulators' own tests, because those import no Secpass code.
 */
const client = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APP = 'STG2-SECPASS-BIZ-TEST';

test("Secpass's own signer (shared/crypto/pki-sign.ts) passes the simulator's verifier, GET with Bearer and POST", () => {
  const check = createPkiSignVerifier({ publicKeyFor: () => client.publicKey });
  const get = {
    method: 'GET' as const,
    url: 'http://127.0.0.1:5999/biz/v2/entity-person/201912345K/S9812381D/',
    params: { client_id: APP, attributes: 'basic-profile,name' },
  };
  const getHeader = `${pkiSignHeader({ ...get, appId: APP }, client.privateKey)},Bearer aaa.bbb.ccc`;
  assert.equal(
    check.verify({ ...get, authorization: getHeader, params: new Map(Object.entries(get.params)) }).bearer,
    'aaa.bbb.ccc',
  );
  const params = new Map([
    ['code', 'abc'],
    ['client_id', APP],
  ]);
  const post = {
    method: 'POST' as const,
    url: 'http://127.0.0.1:5999/biz/v2/token',
    params: Object.fromEntries(params),
  };
  const postHeader = pkiSignHeader({ ...post, appId: APP }, client.privateKey);
  assert.equal(check.verify({ ...post, authorization: postHeader, params }).appId, APP);
});
