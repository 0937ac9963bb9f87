import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import { closeServer, listenOnLoopback } from '../../local/simulators/http.ts';
import {
  headlessAuthorize,
  type SingpassFapiIssuer,
  startSingpassFapiIssuer,
} from '../../local/simulators/singpass-fapi/index.ts';
import { PERSONAS } from '../helpers/flows.ts';

/**
 * Drives the FAPI 2.0 issuer as a relying party would, with openid-client and keys of the test's
 * own, and checks that it refuses what Singpass refuses: no PAR, no DPoP, another DPoP key, a
 * client assertion that lives too long or names the wrong audience.
 */
const CLIENT_ID = 'fapi-test-client';
const REDIRECT = 'http://127.0.0.1:9/callback';
const persona = PERSONAS.citizen;

let issuer: SingpassFapiIssuer;
let stopJwks: () => Promise<void>;
let signingKey: CryptoKey;
let decryptionKey: CryptoKey;
let config: client.Configuration;

const SIGNING_KID = 'test-sig';

before(async () => {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
  signingKey = signing.privateKey;
  decryptionKey = encryption.privateKey;
  const jwks: JWK[] = [
    { ...(await exportJWK(signing.publicKey)), kid: SIGNING_KID, use: 'sig', alg: 'ES256' },
    { ...(await exportJWK(encryption.publicKey)), kid: 'test-enc', use: 'enc', alg: 'ECDH-ES+A256KW' },
  ];
  const jwksServer = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ keys: jwks }));
  });
  const jwksUri = await listenOnLoopback(jwksServer, 0);
  stopJwks = () => closeServer(jwksServer);

  issuer = await startSingpassFapiIssuer({
    port: 0,
    clients: [{ clientId: CLIENT_ID, redirectUris: [REDIRECT], jwksUri }],
  });
  config = await client.discovery(
    new URL(issuer.issuer),
    CLIENT_ID,
    {
      id_token_signed_response_alg: 'ES256',
      userinfo_signed_response_alg: 'ES256',
      dpop_bound_access_tokens: true,
    },
    client.PrivateKeyJwt({ key: signingKey, kid: SIGNING_KID }),
    { execute: [client.allowInsecureRequests, decryptingToo] },
  );
  client.enableNonRepudiationChecks(config);
});

const decryptingToo = (target: client.Configuration) =>
  client.enableDecryptingResponses(target, ['A256CBC-HS512'], {
    key: decryptionKey,
    kid: 'test-enc',
    alg: 'ECDH-ES+A256KW',
  });
after(async () => {
  await issuer?.stop();
  await stopJwks?.();
});

const newDpop = async () => client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));

/** PAR (with a DPoP proof unless told otherwise) → headless login → the callback URL. */
const authorize = async (scope: string, options: { DPoP?: client.DPoPHandle } = {}) => {
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const url = await client.buildAuthorizationUrlWithPAR(
    config,
    {
      redirect_uri: REDIRECT,
      scope,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    },
    options,
  );
  return { url, codeVerifier, nonce, state };
};

const login = async (scope: string, DPoP: client.DPoPHandle) => {
  const request = await authorize(scope, { DPoP });
  const callback = await headlessAuthorize(request.url.href, persona);
  return { ...request, callback };
};

const redeem = (
  flow: Awaited<ReturnType<typeof login>>,
  DPoP: client.DPoPHandle,
  clientAuth?: { assertion: string },
) =>
  client.authorizationCodeGrant(
    clientAuth ? configWithAssertion(clientAuth.assertion) : config,
    flow.callback,
    { pkceCodeVerifier: flow.codeVerifier, expectedNonce: flow.nonce, expectedState: flow.state },
    undefined,
    { DPoP },
  );

/** The same client, authenticating with an assertion the test built itself. */
const configWithAssertion = (assertion: string) => {
  const custom = new client.Configuration(
    config.serverMetadata(),
    CLIENT_ID,
    { id_token_signed_response_alg: 'ES256', dpop_bound_access_tokens: true },
    (_as, _client, body) => {
      body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
      body.set('client_assertion', assertion);
    },
  );
  client.allowInsecureRequests(custom);
  decryptingToo(custom);
  return custom;
};

const assertion = (claims: { aud: string; lifetime: number }) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: SIGNING_KID })
    .setIssuer(CLIENT_ID)
    .setSubject(CLIENT_ID)
    .setAudience(claims.aud)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + claims.lifetime)
    .sign(signingKey);
};

const rejection = async (call: Promise<unknown>): Promise<string> => {
  try {
    await call;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) return error.error;
    if (error instanceof client.WWWAuthenticateChallengeError) return `${error.status}`;
    throw error;
  }
  assert.fail('the issuer accepted the call');
};

describe('Singpass FAPI 2.0 issuer simulator', () => {
  test('discovery advertises PAR, DPoP and private_key_jwt with ES256 only, and encrypted responses', () => {
    const metadata = config.serverMetadata();
    assert.equal(metadata.require_pushed_authorization_requests, true);
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['private_key_jwt']);
    assert.deepEqual(metadata.token_endpoint_auth_signing_alg_values_supported, ['ES256']);
    assert.deepEqual(metadata.dpop_signing_alg_values_supported, ['ES256']);
    assert.deepEqual(metadata.id_token_encryption_alg_values_supported, ['ECDH-ES+A256KW']);
    assert.deepEqual(metadata.id_token_encryption_enc_values_supported, ['A256CBC-HS512']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code']);
    assert.equal(new URL(issuer.issuer).hostname, '127.0.0.1');
  });

  test('PAR → headless login → DPoP-bound tokens → encrypted ID token and Myinfo-style userinfo', async () => {
    const DPoP = await newDpop();
    const flow = await login('openid uinfin name', DPoP);
    assert.equal(flow.callback.origin + flow.callback.pathname, REDIRECT);
    const tokens = await redeem(flow, DPoP);
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    assert.ok(client.getDecryptedResponses(tokens)?.id_token?.token_endpoint, 'the ID token was a JWE');
    assert.equal(tokens.claims()?.sub, persona.uuid);

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, persona.uuid, { DPoP });
    assert.ok(client.getDecryptedResponses(userinfo), 'the userinfo was a JWE');
    const info = userinfo.person_info as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(info).sort(), ['name', 'uinfin']);
    assert.equal(info.uinfin?.value, persona.nric);
    for (const field of ['value', 'source', 'classification', 'lastupdated']) {
      assert.ok(field in (info.name ?? {}), `name.${field}`);
    }
  });

  test('X-Custom-UUID names the subject', async () => {
    const DPoP = await newDpop();
    const uuid = randomUUID();
    const request = await authorize('openid', { DPoP });
    const callback = await headlessAuthorize(request.url.href, { nric: persona.nric, uuid });
    const tokens = await redeem({ ...request, callback }, DPoP);
    assert.equal(tokens.claims()?.sub, uuid);
  });

  test('without a person named, the authorise step shows a login page', async () => {
    const request = await authorize('openid', { DPoP: await newDpop() });
    let response = await fetch(request.url, { redirect: 'manual' });
    const cookie = response.headers
      .getSetCookie()
      .map((line) => line.split(';', 1)[0])
      .join('; ');
    response = await fetch(new URL(response.headers.get('location') ?? '', request.url), {
      headers: { Cookie: cookie },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await response.text(), /<form/);
  });
});

describe('refused', () => {
  test('a PAR without a DPoP proof', async () => {
    assert.equal(await rejection(authorize('openid')), 'invalid_dpop_proof');
  });

  test('an authorise request that was not pushed', async () => {
    const url = new URL(config.serverMetadata().authorization_endpoint ?? '');
    url.search = new URLSearchParams({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const callback = await headlessAuthorize(url.href, persona);
    assert.equal(callback.searchParams.get('error'), 'invalid_request');
    assert.equal(callback.searchParams.get('code'), null);
  });

  test('a token call proven with another DPoP key than the PAR’s', async () => {
    const flow = await login('openid', await newDpop());
    assert.equal(await rejection(redeem(flow, await newDpop())), 'invalid_grant');
  });

  test('userinfo without a DPoP proof', async () => {
    const DPoP = await newDpop();
    const tokens = await redeem(await login('openid name', DPoP), DPoP);
    const endpoint = config.serverMetadata().userinfo_endpoint ?? '';
    // Without a proof the DPoP scheme is a malformed request; Bearer is the wrong scheme for a bound token.
    for (const [scheme, status] of [
      ['DPoP', 400],
      ['Bearer', 401],
    ] as const) {
      const response = await fetch(endpoint, {
        headers: { Authorization: `${scheme} ${tokens.access_token}` },
      });
      assert.equal(response.status, status, scheme);
      assert.equal((await response.text()).includes('person_info'), false);
    }
  });

  test('a client assertion that lives longer than 120 s', async () => {
    const DPoP = await newDpop();
    const flow = await login('openid', DPoP);
    const tooLong = await assertion({ aud: issuer.issuer, lifetime: 121 });
    assert.equal(await rejection(redeem(flow, DPoP, { assertion: tooLong })), 'invalid_client');
  });

  test('a client assertion aimed at the token endpoint instead of the issuer', async () => {
    const DPoP = await newDpop();
    const flow = await login('openid', DPoP);
    const aud = config.serverMetadata().token_endpoint ?? '';
    const misaimed = await assertion({ aud, lifetime: 60 });
    assert.equal(await rejection(redeem(flow, DPoP, { assertion: misaimed })), 'invalid_client');
  });

  test('the sound assertion the two above bend is accepted', async () => {
    const DPoP = await newDpop();
    const flow = await login('openid', DPoP);
    const sound = await assertion({ aud: issuer.issuer, lifetime: 120 });
    assert.ok((await redeem(flow, DPoP, { assertion: sound })).access_token);
  });
});
