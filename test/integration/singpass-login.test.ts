import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { demoApp } from '../helpers/assertions.ts';
import { PERSONAS, postJson, singpassLogin } from '../helpers/flows.ts';

let stack: LocalStack;
before(async () => {
  stack = await startLocalStack();
});
after(async () => {
  await stack?.stop();
});

const app = (n: number) => demoApp(stack, n);

describe('Singpass Login through Secpass', () => {
  test('authReqUri points at Singpass with openid, code, the app callback, a fresh state and nonce', async () => {
    const response = await postJson(stack, app(0).apiKey, '/oidc/singpass/authReqUri', { purpose: 'login' });
    assert.equal(response.status, 200);
    const { authReqUri } = (await response.json()) as { authReqUri: string };
    const url = new URL(authReqUri);
    assert.equal(`${url.origin}${url.pathname}`, `${stack.upstreams.mockpass}/singpass/v2/authorize`);
    assert.equal(url.searchParams.get('scope'), 'openid');
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('client_id'), 'secpass-local');
    assert.equal(url.searchParams.get('redirect_uri'), app(0).callbacks.singpass);
    assert.match(url.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.match(url.searchParams.get('nonce') ?? '', /^[A-Za-z0-9_-]{43}$/);
  });

  for (const [label, persona] of Object.entries(PERSONAS)) {
    test(`${label}: a login token naming the person by UUID only, verifiable with the JWKS`, async () => {
      const { code, state } = await singpassLogin(stack, app(0), persona);
      const response = await postJson(stack, app(0).apiKey, '/oidc/singpass/userInfo', {
        authCode: code,
        state,
      });
      assert.equal(response.status, 200);
      const { token } = (await response.json()) as { token: string };
      const { payload, protectedHeader } = await jwtVerify(
        token,
        createRemoteJWKSet(new URL(stack.secpassJwksUrl)),
        {
          algorithms: ['ES256'],
          issuer: stack.gatewayUrl,
          audience: app(0).appId,
        },
      );
      assert.equal(payload.sub, `u=${persona.uuid}`);
      assert.ok(protectedHeader.kid);
      assert.ok(typeof payload.iat === 'number' && typeof payload.exp === 'number');
      const [header, body] = token.split('.').map((part) => Buffer.from(part, 'base64url').toString('utf8'));
      for (const part of [header, body, JSON.stringify(decodeProtectedHeader(token))]) {
        assert.equal(part?.includes(persona.nric), false, 'no NRIC/FIN anywhere in the token');
        assert.equal(/[STFGM]\d{7}[A-Z]/.test(part ?? ''), false, 'nothing shaped like an NRIC/FIN');
      }
    });
  }
});
