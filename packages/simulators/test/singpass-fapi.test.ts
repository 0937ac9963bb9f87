import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import {
  type CryptoKey,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
  SignJWT,
} from 'jose';
import * as client from 'openid-client';
import { closeServer, listenOnLoopback } from '../src/http.ts';
import {
  headlessAuthorize,
  type SingpassFapiIssuer,
  startSingpassFapiIssuer,
} from '../src/singpass-fapi/index.ts';

/**
 * Drives the FAPI 2.0 issuer as a relying party would, with openid-client and keys of the test's
 * own, through a Login app and two Myinfo apps, and checks that it holds requests to Singpass's
 * published rules, refusing with the error code Singpass documents for each.
 */
const LOGIN_APP = 'FapiTestLoginApp0000000000000001';
const MYINFO_APP = 'FapiTestMyinfoApp000000000000001';
const MYINFO_CBC_APP = 'FapiTestMyinfoCbcApp000000000001';
const REDIRECT = 'http://127.0.0.1:9/callback';
const SIGNING_KID = 'test-sig';
const ENCRYPTION_KID = 'test-enc';
const LOGIN_CONTEXT = 'APP_AUTHENTICATION_DEFAULT';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A citizen among MockPass's Myinfo (v3) personas, which the issuer logs in: NRIC and Singpass uuid. */
const persona = { nric: 'S9812381D', uuid: 'b6cb9308-733b-42b3-ad38-9b5afc890206' };

let issuer: SingpassFapiIssuer;
let stopJwks: () => Promise<void>;
let signingKey: CryptoKey;
let decryptionKey: CryptoKey;
let metadata: client.ServerMetadata;

/** Singpass wants `typ: JWT` on client assertions, which openid-client does not set by itself. */
const typedAssertion: client.ModifyAssertionOptions = {
  [client.modifyAssertion]: (header) => {
    header.typ = 'JWT';
  },
};

/** Singpass wants an `exp`, at most 120 s after `iat`, on every DPoP proof. */
const expiringIn = (seconds: number): client.ModifyAssertionOptions => ({
  [client.modifyAssertion]: (_header, payload) => {
    if (typeof payload.iat === 'number') payload.exp = payload.iat + seconds;
  },
});

/** Apps whose JWKS breaks one of Singpass's requirements (which the library alone would accept). */
const FLAWED_JWKS_APPS = {
  'an RSA key among them': 'FapiTestRsaKeyApp000000000000001',
  'no encryption key': 'FapiTestNoEncKeyApp0000000000001',
  'a kid used twice': 'FapiTestTwiceKidApp0000000000001',
} as const;
/** A Myinfo app whose JWKS a test breaks halfway through a login. */
const BREAKABLE_APP = 'FapiTestBreakableJwksApp00000001';
let breakableJwksBroken = false;

/** The test's JWKS server: one path per key set, the sound one at /sound. */
const serveJwks = async (keySets: ReadonlyMap<string, () => JWK[]>) => {
  const server = createServer((req, res) => {
    const keys = keySets.get(req.url ?? '')?.();
    res.writeHead(keys ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(keys ? { keys } : {}));
  });
  const base = await listenOnLoopback(server, 0);
  stopJwks = () => closeServer(server);
  return base;
};

before(async () => {
  const signing = await generateKeyPair('ES256', { extractable: true });
  const encryption = await generateKeyPair('ECDH-ES+A256KW', { extractable: true });
  const rsa = await generateKeyPair('RS256', { extractable: true });
  signingKey = signing.privateKey;
  decryptionKey = encryption.privateKey;
  const signingJwk: JWK = {
    ...(await exportJWK(signing.publicKey)),
    kid: SIGNING_KID,
    use: 'sig',
    alg: 'ES256',
  };
  const encryptionJwk: JWK = {
    ...(await exportJWK(encryption.publicKey)),
    kid: ENCRYPTION_KID,
    use: 'enc',
    alg: 'ECDH-ES+A256KW',
  };
  const rsaJwk: JWK = { ...(await exportJWK(rsa.publicKey)), kid: 'test-rsa', use: 'sig', alg: 'RS256' };
  const sound = [signingJwk, encryptionJwk];
  const flawed: Record<keyof typeof FLAWED_JWKS_APPS, JWK[]> = {
    'an RSA key among them': [...sound, rsaJwk],
    'no encryption key': [signingJwk],
    'a kid used twice': [signingJwk, { ...encryptionJwk, kid: SIGNING_KID }],
  };
  const base = await serveJwks(
    new Map([
      ['/sound', () => sound],
      ['/breakable', () => (breakableJwksBroken ? [signingJwk] : sound)],
      ...Object.entries(flawed).map(([flaw, keys]) => [`/${encodeURIComponent(flaw)}`, () => keys] as const),
    ]),
  );

  const common = { redirectUris: [REDIRECT], jwksUri: `${base}/sound` };
  const myinfo = { ...common, appType: 'myinfo' as const, scopes: ['uinfin', 'name'] };
  issuer = await startSingpassFapiIssuer({
    port: 0,
    clients: [
      {
        ...common,
        clientId: LOGIN_APP,
        appType: 'login',
        scopes: ['user.identity', 'name', 'email', 'mobileno'],
        authenticationContextTypes: [LOGIN_CONTEXT, 'BANK_CASA_OPENING'],
      },
      {
        ...myinfo,
        clientId: MYINFO_APP,
        scopes: ['uinfin', 'name', 'cpfbalances.oa', 'cpfbalances.ma', 'vehicles.make', 'vehicles.model'],
      },
      { ...myinfo, clientId: MYINFO_CBC_APP, userinfoEncryption: 'A256CBC-HS512' },
      { ...myinfo, clientId: BREAKABLE_APP, jwksUri: `${base}/breakable` },
      ...Object.entries(FLAWED_JWKS_APPS).map(([flaw, clientId]) => ({
        ...myinfo,
        clientId,
        jwksUri: `${base}/${encodeURIComponent(flaw)}`,
      })),
    ],
  });
  metadata = (
    await client.discovery(new URL(issuer.issuer), LOGIN_APP, undefined, undefined, {
      execute: [client.allowInsecureRequests],
    })
  ).serverMetadata();
});

after(async () => {
  await issuer?.stop();
  await stopJwks?.();
});

/** One call the relying party made, as the issuer answered it. */
interface Exchange {
  url: string;
  status: number;
  body: string;
}

/** An openid-client configuration for one app, recording every exchange with the issuer. */
const relyingParty = (clientId: string, clientAuth?: client.ClientAuth) => {
  const config = new client.Configuration(
    metadata,
    clientId,
    {
      id_token_signed_response_alg: 'ES256',
      userinfo_signed_response_alg: 'ES256',
      dpop_bound_access_tokens: true,
    },
    clientAuth ?? client.PrivateKeyJwt({ key: signingKey, kid: SIGNING_KID }, typedAssertion),
  );
  client.allowInsecureRequests(config);
  client.enableDecryptingResponses(config, ['A256GCM', 'A256CBC-HS512'], {
    key: decryptionKey,
    kid: ENCRYPTION_KID,
    alg: 'ECDH-ES+A256KW',
  });
  client.enableNonRepudiationChecks(config);
  const exchanges: Exchange[] = [];
  config[client.customFetch] = async (url, options) => {
    const response = await fetch(url, options as RequestInit);
    exchanges.push({ url, status: response.status, body: await response.clone().text() });
    return response;
  };
  return { config, exchanges };
};

/** A new DPoP key for one login, as Singpass asks; its proofs live `lifetime` seconds, or carry no exp. */
const newDpop = async (
  config: client.Configuration,
  lifetime: number | 'no exp' = 120,
  keyPair?: client.CryptoKeyPair,
) =>
  client.getDPoPHandle(
    config,
    keyPair ?? (await client.randomDPoPKeyPair('ES256')),
    lifetime === 'no exp' ? undefined : expiringIn(lifetime),
  );

type RequestParams = Record<string, string | undefined>;

/** PAR (with the given DPoP handle, if any) → the authorisation URL, and what the callback is checked against. */
const push = async (
  config: client.Configuration,
  scope: string,
  options: { DPoP?: client.DPoPHandle; params?: RequestParams } = {},
) => {
  const codeVerifier = client.randomPKCECodeVerifier();
  const nonce = client.randomNonce();
  const state = client.randomState();
  const isLogin = config.clientMetadata().client_id === LOGIN_APP;
  const params: RequestParams = {
    redirect_uri: REDIRECT,
    scope,
    state,
    nonce,
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(isLogin ? { authentication_context_type: LOGIN_CONTEXT } : {}),
    ...options.params,
  };
  const sent = Object.fromEntries(
    Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const url = await client.buildAuthorizationUrlWithPAR(
    config,
    sent,
    options.DPoP ? { DPoP: options.DPoP } : undefined,
  );
  return { url, codeVerifier, nonce: sent.nonce, state: sent.state };
};

type Pushed = Awaited<ReturnType<typeof push>>;

const login = async (
  config: client.Configuration,
  scope: string,
  DPoP: client.DPoPHandle,
  params?: RequestParams,
) => {
  const pushed = await push(config, scope, { DPoP, ...(params ? { params } : {}) });
  return { ...pushed, callback: await headlessAuthorize(pushed.url.href, persona) };
};

const redeem = (
  config: client.Configuration,
  flow: Pushed & { callback: URL },
  DPoP: client.DPoPHandle | undefined,
) =>
  client.authorizationCodeGrant(
    config,
    flow.callback,
    { pkceCodeVerifier: flow.codeVerifier, expectedNonce: flow.nonce, expectedState: flow.state },
    undefined,
    DPoP ? { DPoP } : undefined,
  );

/** The same app, authenticating with an assertion the test built itself. */
const withAssertion = (clientId: string, assertion: string) =>
  relyingParty(clientId, (_as, _client, body) => {
    body.set('client_id', clientId);
    body.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    body.set('client_assertion', assertion);
  }).config;

const assertion = (claims: { aud: string; lifetime: number; typ?: string }) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: SIGNING_KID, ...(claims.typ ? { typ: claims.typ } : {}) })
    .setIssuer(MYINFO_APP)
    .setSubject(MYINFO_APP)
    .setAudience(claims.aud)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + claims.lifetime)
    .sign(signingKey);
};

/** The error code the issuer refused the call with (from the body, or a DPoP/Bearer challenge). */
const rejection = async (call: Promise<unknown>): Promise<string> => {
  try {
    await call;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) return error.error;
    if (error instanceof client.WWWAuthenticateChallengeError) {
      return error.cause[0]?.parameters.error ?? `${error.status}`;
    }
    throw error;
  }
  assert.fail('the issuer accepted the call');
};

const lastJson = (exchanges: Exchange[], endpoint: string | undefined): Record<string, unknown> => {
  const exchange = exchanges.findLast((e) => e.url === endpoint);
  assert.ok(exchange, `a call to ${endpoint}`);
  return JSON.parse(exchange.body) as Record<string, unknown>;
};

describe('Singpass FAPI 2.0 issuer simulator', () => {
  test('the issuer identifier, discovery and every endpoint are under /fapi; nothing else is served', async () => {
    assert.match(issuer.issuer, /^http:\/\/127\.0\.0\.1:\d+\/fapi$/);
    assert.equal(issuer.discoveryUrl, `${issuer.issuer}/.well-known/openid-configuration`);
    assert.equal(metadata.issuer, issuer.issuer);
    for (const name of [
      'pushed_authorization_request_endpoint',
      'authorization_endpoint',
      'token_endpoint',
      'userinfo_endpoint',
      'jwks_uri',
    ] as const) {
      assert.ok(String(metadata[name]).startsWith(`${issuer.issuer}/`), name);
    }
    const origin = new URL(issuer.issuer).origin;
    assert.equal((await fetch(`${origin}/.well-known/openid-configuration`)).status, 404);
    assert.equal((await fetch(`${origin}/token`, { method: 'POST' })).status, 404);
  });

  test('discovery advertises PAR, DPoP and private_key_jwt with EC algorithms, and encrypted responses', () => {
    assert.equal(metadata.require_pushed_authorization_requests, true);
    assert.deepEqual(metadata.token_endpoint_auth_methods_supported, ['private_key_jwt']);
    assert.deepEqual(metadata.token_endpoint_auth_signing_alg_values_supported, ['ES256', 'ES384', 'ES512']);
    assert.deepEqual(metadata.dpop_signing_alg_values_supported, ['ES256', 'ES384', 'ES512']);
    assert.deepEqual(metadata.id_token_encryption_alg_values_supported, ['ECDH-ES+A256KW']);
    assert.deepEqual(metadata.id_token_encryption_enc_values_supported, ['A256CBC-HS512']);
    assert.deepEqual(metadata.userinfo_encryption_enc_values_supported, ['A256GCM', 'A256CBC-HS512']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code']);
  });

  test('Login: an encrypted ID token with the claims Singpass publishes, and no sub_attributes unasked', async () => {
    const { config, exchanges } = relyingParty(LOGIN_APP);
    const DPoP = await newDpop(config);
    const flow = await login(config, 'openid', DPoP);
    assert.equal(flow.callback.origin + flow.callback.pathname, REDIRECT);
    assert.equal(lastJson(exchanges, metadata.pushed_authorization_request_endpoint).expires_in, 60);
    const tokens = await redeem(config, flow, DPoP);
    assert.equal(tokens.token_type.toLowerCase(), 'dpop');
    assert.equal(tokens.expires_in, 1800);
    assert.ok(client.getDecryptedResponses(tokens), 'the ID token was a JWE');
    const idToken = lastJson(exchanges, metadata.token_endpoint).id_token;
    assert.equal(typeof idToken === 'string' && decodeProtectedHeader(idToken).enc, 'A256CBC-HS512');

    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.iss, issuer.issuer);
    assert.equal(claims.aud, LOGIN_APP);
    assert.equal(claims.nonce, flow.nonce);
    assert.equal(typeof claims.iat, 'number');
    assert.equal(typeof claims.exp, 'number');
    assert.match(claims.sub, UUID);
    assert.equal(claims.sub, persona.uuid);
    assert.equal(claims.sub_type, 'user');
    assert.equal(claims.acr, 'urn:singpass:authentication:loa:2');
    assert.deepEqual(claims.amr, ['pwd', 'otp-sms']);
    assert.equal('sub_attributes' in claims, false);
    assert.equal('person_info' in claims, false);
  });

  test('Login: sub_attributes carries what the Login scopes asked for, from the persona', async () => {
    const { config } = relyingParty(LOGIN_APP);
    const DPoP = await newDpop(config);
    const flow = await login(config, 'openid user.identity name email mobileno', DPoP);
    const claims = (await redeem(config, flow, DPoP)).claims();
    assert.deepEqual(claims?.sub_attributes, {
      account_type: 'standard',
      identity_number: persona.nric,
      identity_coi: 'SG',
      name: 'TAN HENG HUAT',
      email: 'myinfotesting@gmail.com',
      mobileno: '97399245',
    });

    const nameOnly = await login(config, 'openid name', DPoP);
    assert.deepEqual((await redeem(config, nameOnly, DPoP)).claims()?.sub_attributes, {
      name: 'TAN HENG HUAT',
    });
  });

  test('Login: acr_values asking for face verification gets loa:3', async () => {
    const { config } = relyingParty(LOGIN_APP);
    const DPoP = await newDpop(config);
    const flow = await login(config, 'openid', DPoP, { acr_values: 'urn:singpass:authentication:loa:3' });
    const claims = (await redeem(config, flow, DPoP)).claims();
    assert.equal(claims?.acr, 'urn:singpass:authentication:loa:3');
    assert.ok((claims?.amr as string[] | undefined)?.includes('face'));
  });

  test('Myinfo: userinfo is a JWE in A256GCM around a signed person_info; the ID token has no Myinfo data', async () => {
    const { config, exchanges } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    const tokens = await redeem(config, await login(config, 'openid uinfin name', DPoP), DPoP);
    const idClaims = tokens.claims();
    assert.equal(idClaims?.sub_type, 'user');
    assert.equal('person_info' in (idClaims ?? {}), false);
    assert.equal('sub_attributes' in (idClaims ?? {}), false);

    const userinfo = await client.fetchUserInfo(config, tokens.access_token, persona.uuid, { DPoP });
    const jwe = exchanges.findLast((e) => e.url === metadata.userinfo_endpoint)?.body ?? '';
    assert.deepEqual(
      { alg: decodeProtectedHeader(jwe).alg, enc: decodeProtectedHeader(jwe).enc },
      { alg: 'ECDH-ES+A256KW', enc: 'A256GCM' },
    );
    const signed = decodeJwt(client.getDecryptedResponses(userinfo) as string);
    assert.equal(signed.iss, issuer.issuer);
    assert.equal(signed.aud, MYINFO_APP);
    assert.equal(signed.sub, persona.uuid);
    assert.equal(typeof signed.iat, 'number');
    const info = userinfo.person_info as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(info).sort(), ['name', 'uinfin']);
    assert.equal(info.uinfin?.value, persona.nric);
    for (const field of ['value', 'source', 'classification', 'lastupdated']) {
      assert.ok(field in (info.name ?? {}), `name.${field}`);
    }
  });

  test('Myinfo: an app registered for A256CBC-HS512 gets its userinfo in that', async () => {
    const { config, exchanges } = relyingParty(MYINFO_CBC_APP);
    const DPoP = await newDpop(config);
    const tokens = await redeem(config, await login(config, 'openid uinfin', DPoP), DPoP);
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, persona.uuid, { DPoP });
    const jwe = exchanges.findLast((e) => e.url === metadata.userinfo_endpoint)?.body ?? '';
    assert.equal(decodeProtectedHeader(jwe).enc, 'A256CBC-HS512');
    assert.equal((userinfo.person_info as Record<string, { value?: string }>).uinfin?.value, persona.nric);
  });

  test('Myinfo: dotted catalog ids give just the parts they name, in lists too', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    const tokens = await redeem(
      config,
      await login(config, 'openid cpfbalances.oa vehicles.make', DPoP),
      DPoP,
    );
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, persona.uuid, { DPoP });
    const info = userinfo.person_info as {
      cpfbalances?: Record<string, unknown>;
      vehicles?: Record<string, unknown>[];
    };
    assert.deepEqual(Object.keys(info).sort(), ['cpfbalances', 'vehicles']);
    assert.deepEqual(info.cpfbalances?.oa, { value: 58839.75 });
    assert.equal('ma' in (info.cpfbalances ?? {}), false);
    assert.equal(info.cpfbalances?.source, '1');
    assert.ok(info.vehicles?.length);
    for (const vehicle of info.vehicles ?? []) {
      assert.ok('make' in vehicle);
      assert.equal('model' in vehicle, false);
    }
  });

  test('X-Custom-UUID names the subject', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    const uuid = randomUUID();
    const pushed = await push(config, 'openid', { DPoP });
    const callback = await headlessAuthorize(pushed.url.href, { nric: persona.nric, uuid });
    const tokens = await redeem(config, { ...pushed, callback }, DPoP);
    assert.equal(tokens.claims()?.sub, uuid);
  });

  test('a named subject that is not a UUID is refused, as Singpass subjects always are UUIDs', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const pushed = await push(config, 'openid', { DPoP: await newDpop(config) });
    await assert.rejects(headlessAuthorize(pushed.url.href, { nric: persona.nric, uuid: 'u=123' }), /400/);
  });

  test('a PAR may bind the code with dpop_jkt instead of a DPoP proof; the token call proves that key', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    const params = { dpop_jkt: await DPoP.calculateThumbprint() };
    const pushed = await push(config, 'openid uinfin', { params });
    const callback = await headlessAuthorize(pushed.url.href, persona);
    assert.ok((await redeem(config, { ...pushed, callback }, DPoP)).access_token);
  });

  test('without a person named, the authorise step shows a login page under /fapi', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const pushed = await push(config, 'openid', { DPoP: await newDpop(config) });
    let response = await fetch(pushed.url, { redirect: 'manual' });
    const cookie = response.headers
      .getSetCookie()
      .map((line) => line.split(';', 1)[0])
      .join('; ');
    const loginPage = new URL(response.headers.get('location') ?? '', pushed.url);
    assert.ok(loginPage.pathname.startsWith('/fapi/'));
    response = await fetch(loginPage, { headers: { Cookie: cookie } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await response.text(), /<form action="\/fapi\//);
  });

  test('with DPoP nonces required, openid-client retries each call once with the nonce and succeeds', async () => {
    const { config, exchanges } = relyingParty(MYINFO_APP);
    issuer.requireDpopNonce(true);
    try {
      const DPoP = await newDpop(config);
      const tokens = await redeem(config, await login(config, 'openid uinfin', DPoP), DPoP);
      await client.fetchUserInfo(config, tokens.access_token, persona.uuid, { DPoP });
      const pars = exchanges.filter((e) => e.url === metadata.pushed_authorization_request_endpoint);
      assert.deepEqual(
        pars.map((e) => e.status),
        [400, 201],
      );
      assert.equal(JSON.parse(pars[0]?.body ?? '{}').error, 'use_dpop_nonce');
    } finally {
      issuer.requireDpopNonce(false);
    }
  });
});

describe('refused', () => {
  test('an authorise request that was not pushed', async () => {
    const url = new URL(metadata.authorization_endpoint ?? '');
    url.search = new URLSearchParams({
      client_id: MYINFO_APP,
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

  test('a PAR with neither a DPoP proof nor dpop_jkt: invalid_request', async () => {
    const { config } = relyingParty(MYINFO_APP);
    assert.equal(await rejection(push(config, 'openid')), 'invalid_request');
  });

  test('a DPoP proof without exp: invalid_dpop_proof', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config, 'no exp');
    assert.equal(await rejection(push(config, 'openid', { DPoP })), 'invalid_dpop_proof');
  });

  test('a DPoP proof that lives longer than 120 s: invalid_dpop_proof', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config, 121);
    assert.equal(await rejection(push(config, 'openid', { DPoP })), 'invalid_dpop_proof');
  });

  test('a fresh DPoP proof once the issuer’s clock runs ahead of its exp: invalid_dpop_proof', async () => {
    const { config } = relyingParty(MYINFO_APP);
    issuer.setClockSkew(121);
    try {
      const DPoP = await newDpop(config);
      assert.equal(await rejection(push(config, 'openid', { DPoP })), 'invalid_dpop_proof');
    } finally {
      issuer.setClockSkew(0);
    }
  });

  test('a client assertion without typ "JWT": invalid_client', async () => {
    const { config } = relyingParty(MYINFO_APP, client.PrivateKeyJwt({ key: signingKey, kid: SIGNING_KID }));
    const DPoP = await newDpop(config);
    assert.equal(await rejection(push(config, 'openid', { DPoP })), 'invalid_client');
  });

  test('a client assertion that lives longer than 120 s: invalid_client', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    const flow = await login(config, 'openid', DPoP);
    const tooLong = await assertion({ aud: issuer.issuer, lifetime: 121, typ: 'JWT' });
    assert.equal(await rejection(redeem(withAssertion(MYINFO_APP, tooLong), flow, DPoP)), 'invalid_client');
  });

  test('a client assertion aimed at the token endpoint instead of the issuer: invalid_client', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    const flow = await login(config, 'openid', DPoP);
    const misaimed = await assertion({ aud: metadata.token_endpoint ?? '', lifetime: 60, typ: 'JWT' });
    assert.equal(await rejection(redeem(withAssertion(MYINFO_APP, misaimed), flow, DPoP)), 'invalid_client');
  });

  test('the sound assertion the ones above bend is accepted', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    const flow = await login(config, 'openid', DPoP);
    const sound = await assertion({ aud: issuer.issuer, lifetime: 120, typ: 'JWT' });
    assert.ok((await redeem(withAssertion(MYINFO_APP, sound), flow, DPoP)).access_token);
  });

  test('a Login PAR without authentication_context_type: invalid_request', async () => {
    const { config } = relyingParty(LOGIN_APP);
    const DPoP = await newDpop(config);
    const params = { authentication_context_type: undefined };
    assert.equal(await rejection(push(config, 'openid', { DPoP, params })), 'invalid_request');
  });

  test('an authentication_context_type Singpass does not publish, or not enabled for the app: invalid_request', async () => {
    const { config } = relyingParty(LOGIN_APP);
    for (const type of ['APP_SOMETHING_ELSE', 'CPF_FUNDS_TRANSFER']) {
      const DPoP = await newDpop(config);
      const params = { authentication_context_type: type };
      assert.equal(await rejection(push(config, 'openid', { DPoP, params })), 'invalid_request', type);
    }
  });

  test('an authentication_context_message with characters Singpass does not allow, or too long: invalid_request', async () => {
    const { config } = relyingParty(LOGIN_APP);
    for (const message of ['Pay <b>now</b>', 'a'.repeat(101)]) {
      const DPoP = await newDpop(config);
      const params = { authentication_context_message: message };
      assert.equal(await rejection(push(config, 'openid', { DPoP, params })), 'invalid_request');
    }
    const DPoP = await newDpop(config);
    const allowed = { authentication_context_message: "Log in to Acme's portal (step 1)." };
    assert.ok(await push(config, 'openid', { DPoP, params: allowed }));
  });

  test('authentication context on a Myinfo PAR: invalid_request', async () => {
    const { config } = relyingParty(MYINFO_APP);
    for (const params of [
      { authentication_context_type: LOGIN_CONTEXT },
      { authentication_context_message: 'Sign up' },
    ]) {
      const DPoP = await newDpop(config);
      assert.equal(await rejection(push(config, 'openid', { DPoP, params })), 'invalid_request');
    }
  });

  test('a Myinfo v3 name that is no catalog id (cpfbalances): invalid_scope', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    assert.equal(await rejection(push(config, 'openid cpfbalances', { DPoP })), 'invalid_scope');
  });

  test('a catalog id the Myinfo app is not registered for: invalid_scope', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    assert.equal(await rejection(push(config, 'openid uinfin regadd', { DPoP })), 'invalid_scope');
  });

  test('Myinfo scopes on the Login app: invalid_scope', async () => {
    const { config } = relyingParty(LOGIN_APP);
    const DPoP = await newDpop(config);
    assert.equal(await rejection(push(config, 'openid uinfin', { DPoP })), 'invalid_scope');
  });

  test('a PAR without the openid scope: invalid_scope', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    assert.equal(await rejection(push(config, 'uinfin name', { DPoP })), 'invalid_scope');
  });

  test('a state outside Singpass’s characters or length, or no nonce: invalid_request', async () => {
    const { config } = relyingParty(MYINFO_APP);
    for (const params of [{ state: 'has space' }, { state: 'a'.repeat(256) }, { nonce: undefined }]) {
      const DPoP = await newDpop(config);
      assert.equal(await rejection(push(config, 'openid', { DPoP, params })), 'invalid_request');
    }
  });

  test('optional Singpass parameters with values it does not publish: invalid_request', async () => {
    const { config } = relyingParty(LOGIN_APP);
    for (const params of [
      { acr_values: 'urn:singpass:authentication:loa:9' },
      { redirect_uri_https_type: 'custom_scheme' },
      { app_launch_url: 'myapp://return' },
    ]) {
      const DPoP = await newDpop(config);
      assert.equal(await rejection(push(config, 'openid', { DPoP, params })), 'invalid_request');
    }
  });

  test('a token call without a DPoP proof: invalid_request', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const flow = await login(config, 'openid', await newDpop(config));
    assert.equal(await rejection(redeem(config, flow, undefined)), 'invalid_request');
  });

  test('a token call proven with another DPoP key than the PAR’s: invalid_grant', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const flow = await login(config, 'openid', await newDpop(config));
    assert.equal(await rejection(redeem(config, flow, await newDpop(config))), 'invalid_grant');
  });

  test('userinfo without a DPoP proof', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const DPoP = await newDpop(config);
    const tokens = await redeem(config, await login(config, 'openid name', DPoP), DPoP);
    // Without a proof the DPoP scheme is a malformed request; Bearer is the wrong scheme for a bound token.
    for (const [scheme, status] of [
      ['DPoP', 400],
      ['Bearer', 401],
    ] as const) {
      const response = await fetch(metadata.userinfo_endpoint ?? '', {
        headers: { Authorization: `${scheme} ${tokens.access_token}` },
      });
      assert.equal(response.status, status, scheme);
      assert.equal((await response.text()).includes('person_info'), false);
    }
  });

  test('userinfo with a DPoP proof without exp: 401 invalid_dpop_proof', async () => {
    const { config } = relyingParty(MYINFO_APP);
    const keyPair = await client.randomDPoPKeyPair('ES256');
    const DPoP = await newDpop(config, 120, keyPair);
    const tokens = await redeem(config, await login(config, 'openid name', DPoP), DPoP);
    const noExp = await newDpop(config, 'no exp', keyPair);
    assert.equal(
      await rejection(client.fetchUserInfo(config, tokens.access_token, persona.uuid, { DPoP: noExp })),
      'invalid_dpop_proof',
    );
  });
  test('a client JWKS Singpass would not accept (an RSA key, no encryption key, a kid used twice): invalid_client', async () => {
    for (const [flaw, clientId] of Object.entries(FLAWED_JWKS_APPS)) {
      const { config } = relyingParty(clientId);
      const DPoP = await newDpop(config);
      assert.equal(await rejection(push(config, 'openid uinfin', { DPoP })), 'invalid_client', flaw);
    }
  });

  test('userinfo once the client JWKS has lost its encryption key: invalid_request', async () => {
    const { config } = relyingParty(BREAKABLE_APP);
    const DPoP = await newDpop(config);
    const tokens = await redeem(config, await login(config, 'openid uinfin', DPoP), DPoP);
    breakableJwksBroken = true;
    try {
      await issuer.expireClientKeyCaches();
      assert.equal(
        await rejection(client.fetchUserInfo(config, tokens.access_token, persona.uuid, { DPoP })),
        'invalid_request',
      );
    } finally {
      breakableJwksBroken = false;
      await issuer.expireClientKeyCaches();
    }
  });
});
