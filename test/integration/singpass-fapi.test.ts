import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { headlessAuthorize } from '@secpass/simulators/singpass-fapi';
import { createRemoteJWKSet, exportJWK, generateKeyPair, type JWK, jwtVerify } from 'jose';
import { openSecpassToken } from '../../local/demo-app/open-token.ts';
import { type DemoApp, type LocalStack, startLocalStack } from '../../local/stack.ts';
import { getApp, setAppProviders } from '../../shared/adapters/dynamodb/app-store.ts';
import { stateKey } from '../../shared/adapters/dynamodb/state-store.ts';
import { documentClient, tableName } from '../../shared/adapters/dynamodb/table.ts';
import { resetConfig, setting } from '../../shared/adapters/env.ts';
import { secretsManagerSource } from '../../shared/adapters/secrets-manager.ts';
import type { AppRecord } from '../../shared/apps/app-record.ts';
import { sealText } from '../../shared/crypto/token-cipher.ts';
import { PrivateEcJwk } from '../../shared/secrets/private-ec-jwk.ts';
import type { SingpassSecret } from '../../shared/secrets/singpass-keys.ts';
import { stateKeysFrom } from '../../shared/secrets/state-keys.ts';
import { demoApp, expectError, expectUpstreamRefusal } from '../helpers/assertions.ts';
import { type FakeSingpass, type IdTokenFlaw, startFakeSingpass } from '../helpers/fake-singpass.ts';
import {
  basic,
  myinfoToken,
  PERSONAS,
  postJson,
  secpassOf,
  singpassLogin,
  tokenQuery,
} from '../helpers/flows.ts';

let stack: LocalStack;
let fake: FakeSingpass;
let issuer: string;
before(async () => {
  // Secrets are re-read on every request here, so the rotation test's new keys apply at once.
  process.env.SECRETS_CACHE_SECONDS = '0';
  stack = await startLocalStack();
  issuer = process.env.SINGPASS_FAPI_ISSUER ?? '';
  fake = await startFakeSingpass(`${stack.gatewayUrl}/singpass/jwks`, {
    encryptTo: (key) => String(key.kid).startsWith('fapi-enc'),
    subject: 'fapi',
  });
});
after(async () => {
  await fake?.stop();
  await stack?.stop();
});

/** Demo apps 1 and 2 are on the legacy profile, the third on FAPI 2.0. */
const legacyApp = () => demoApp(stack, 0);
const fapiApp = () => demoApp(stack, 2);
const persona = PERSONAS.citizen;

const storedState = async (state: string) =>
  (await documentClient().send(new GetCommand({ TableName: tableName(), Key: stateKey(state) }))).Item;

/** authReqUri → the FAPI issuer's headless login → the code and state at the app's callback. */
const fapiLogin = async (app: DemoApp) => {
  const response = await postJson(stack, app.apiKey, '/oidc/singpass/authReqUri', { purpose: 'login' });
  assert.equal(response.status, 200);
  const { authReqUri } = (await response.json()) as { authReqUri: string };
  const callback = await headlessAuthorize(authReqUri, persona);
  assert.equal(`${callback.origin}${callback.pathname}`, app.callbacks.singpass);
  return {
    authReqUri: new URL(authReqUri),
    code: callback.searchParams.get('code') ?? '',
    state: callback.searchParams.get('state') ?? '',
  };
};

const userInfo = (app: DemoApp, authCode: string, state: string) =>
  postJson(stack, app.apiKey, '/oidc/singpass/userInfo', { authCode, state });

const loginToken = async (app: DemoApp, response: Response) => {
  assert.equal(response.status, 200);
  const { token } = (await response.json()) as { token: string };
  const { payload } = await jwtVerify(token, createRemoteJWKSet(new URL(stack.secpassJwksUrl)), {
    algorithms: ['ES256'],
    audience: app.appId,
  });
  return payload;
};

type Providers = AppRecord['providers'];
type PersonInfo = Record<string, { value?: unknown; source?: unknown; classification?: unknown }>;

/** Runs with the FAPI app's provider settings changed (through the validating store), then puts them back. */
const withRegistrations = async (
  change: (providers: Providers) => Providers,
  run: () => Promise<unknown>,
) => {
  const app = await getApp(fapiApp().appId);
  assert.ok(app);
  await setAppProviders(app.appId, change(app.providers));
  try {
    await run();
  } finally {
    await setAppProviders(app.appId, app.providers);
  }
};

const fapiMyinfo = (providers: Providers, registration: Partial<{ clientId: string; scopes: string[] }>) => {
  const myinfo = providers.myinfo;
  assert.ok(myinfo?.fapi2);
  return { ...myinfo, fapi2: { ...myinfo.fapi2, ...registration } };
};

const fapiLoginSettings = (
  providers: Providers,
  registration: Partial<NonNullable<NonNullable<Providers['singpass']>['fapi2']>>,
) => {
  const singpass = providers.singpass;
  assert.ok(singpass?.fapi2);
  return { ...singpass, fapi2: { ...singpass.fapi2, ...registration } };
};

const myinfoInit = () =>
  fetch(`${stack.gatewayUrl}/myinfo/init`, { headers: basic(fapiApp().apiKey), redirect: 'manual' });

/** The FAPI app's Myinfo flow end to end: the verified userinfo claims the app opens. */
const fapiMyinfo3 = async () => {
  const init = await myinfoInit();
  assert.equal(init.status, 302);
  const callback = await headlessAuthorize(init.headers.get('location') ?? '', persona);
  assert.equal(`${callback.origin}${callback.pathname}`, fapiApp().callbacks.myinfo);
  const response = await myinfoToken(
    stack,
    fapiApp().apiKey,
    tokenQuery(callback.searchParams.get('code') ?? '', callback.searchParams.get('state') ?? ''),
  );
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), 'application/jose');
  const { payload } = await openSecpassToken(await response.text(), fapiApp(), secpassOf(stack));
  return JSON.parse(new TextDecoder().decode(payload)) as {
    sub: string;
    aud: string;
    person_info: PersonInfo;
  };
};

const loginInit = () => postJson(stack, fapiApp().apiKey, '/oidc/singpass/authReqUri', { purpose: 'login' });

describe('a fapi2 app beside a legacy app, through the same routes', () => {
  test('Singpass Login: PAR, headless login, code exchange with DPoP → the same login token as legacy', async () => {
    const { authReqUri, code, state } = await fapiLogin(fapiApp());
    assert.equal(`${authReqUri.origin}`, new URL(issuer).origin);
    assert.deepEqual([...authReqUri.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    const stored = await storedState(state);
    assert.ok(
      stored?.fapi?.dpopKey?.sealedPrivateJwk?.data,
      'the DPoP private key waits with the state, sealed',
    );
    assert.equal(stored?.fapi?.dpopKey?.privateJwk, undefined, 'no DPoP private key in the clear');
    assert.equal(JSON.stringify(stored).includes('"d"'), false);
    assert.equal(stored?.fapi?.codeVerifier, undefined, 'no PKCE verifier in the clear');

    const payload = await loginToken(fapiApp(), await userInfo(fapiApp(), code, state));
    assert.equal(payload.sub, `u=${persona.uuid}`);
    assert.equal(JSON.stringify(payload).includes(persona.nric), false);
    const consumed = await storedState(state);
    assert.ok(consumed?.consumedAt, 'consumed');
    assert.equal(consumed?.fapi, undefined, 'the DPoP private key is gone from the table');

    const legacy = await singpassLogin(stack, legacyApp(), persona);
    assert.equal(new URL(legacy.authReqUri).origin, new URL(stack.upstreams.mockpass).origin);
    const legacyPayload = await loginToken(
      legacyApp(),
      await userInfo(legacyApp(), legacy.code, legacy.state),
    );
    assert.equal(legacyPayload.sub, `u=${persona.uuid}`);
  });

  test('Myinfo: init → PAR as the Myinfo app → consent → token → Myinfo v5 userinfo (A256GCM) sealed for the app', async () => {
    const claims = await fapiMyinfo3();
    assert.equal(claims.sub, persona.uuid);
    assert.equal(claims.aud, stack.fapiClients.myinfo);
    assert.equal(claims.person_info.uinfin?.value, persona.nric);
    assert.ok(claims.person_info.name?.value);
    assert.ok(claims.person_info.name?.source !== undefined && claims.person_info.name?.classification);
    const balances = claims.person_info.cpfbalances as Record<string, unknown> | undefined;
    assert.ok(balances?.oa, 'the dotted catalog id cpfbalances.oa is answered');
  });

  test('Myinfo: userinfo encrypted A256CBC-HS512 (a registration set that way) opens as well', async () => {
    const cbc = stack.fapiClients.myinfoCbc;
    assert.ok(cbc, 'the built-in issuer has a CBC registration');
    await withRegistrations(
      (providers) => ({ ...providers, myinfo: fapiMyinfo(providers, { clientId: cbc }) }),
      async () => {
        const claims = await fapiMyinfo3();
        assert.equal(claims.person_info.uinfin?.value, persona.nric);
      },
    );
  });

  test('a replayed state is refused and the code is not sent again', async () => {
    const { code, state } = await fapiLogin(fapiApp());
    assert.equal((await userInfo(fapiApp(), code, state)).status, 200);
    await expectError(await userInfo(fapiApp(), code, state), 400, 'state_used');
    await expectError(await userInfo(legacyApp(), code, state), 400, 'invalid_state');
  });
});

describe('Singpass refuses, and Secpass names its error', () => {
  test('an operator who swapped the client ids: the Login PAR reaches a Myinfo app, which refuses its context type', async () => {
    await withRegistrations(
      (providers) => ({
        ...providers,
        singpass: fapiLoginSettings(providers, { clientId: stack.fapiClients.myinfo, scopes: [] }),
      }),
      async () => expectUpstreamRefusal(await loginInit(), 500, 'upstream_error_status', 'invalid_request'),
    );
  });

  test('…and the Myinfo PAR reaches a Login app, which misses its context type', async () => {
    await withRegistrations(
      (providers) => ({
        ...providers,
        myinfo: fapiMyinfo(providers, { clientId: stack.fapiClients.login, scopes: ['name'] }),
      }),
      async () => expectUpstreamRefusal(await myinfoInit(), 404, 'upstream_error_status', 'invalid_request'),
    );
  });

  test('…and Myinfo scopes on the Login app are refused as invalid_scope', async () => {
    await withRegistrations(
      (providers) => ({
        ...providers,
        myinfo: fapiMyinfo(providers, { clientId: stack.fapiClients.login, scopes: ['uinfin'] }),
      }),
      async () => expectUpstreamRefusal(await myinfoInit(), 404, 'upstream_error_status', 'invalid_scope'),
    );
  });

  test('a catalog id the Myinfo app was not granted in the portal is refused as invalid_scope', async () => {
    await withRegistrations(
      (providers) => ({
        ...providers,
        myinfo: fapiMyinfo(providers, { scopes: ['uinfin', 'vehicles.make'] }),
      }),
      async () => expectUpstreamRefusal(await myinfoInit(), 404, 'upstream_error_status', 'invalid_scope'),
    );
  });

  test('an issuer whose clock runs ahead finds our DPoP proof expired: invalid_dpop_proof, nothing stored', async () => {
    const issuerControls = stack.singpassFapi;
    assert.ok(issuerControls);
    issuerControls.setClockSkew(300);
    try {
      await expectUpstreamRefusal(await loginInit(), 500, 'upstream_error_status', 'invalid_dpop_proof');
      await expectUpstreamRefusal(await myinfoInit(), 404, 'upstream_error_status', 'invalid_dpop_proof');
    } finally {
      issuerControls.setClockSkew(0);
    }
  });

  test('an issuer that asks for a DPoP nonce gets one retry with it, and the login goes through', async () => {
    const issuerControls = stack.singpassFapi;
    assert.ok(issuerControls);
    issuerControls.requireDpopNonce(true);
    try {
      const { code, state } = await fapiLogin(fapiApp());
      const payload = await loginToken(fapiApp(), await userInfo(fapiApp(), code, state));
      assert.equal(payload.sub, `u=${persona.uuid}`);
    } finally {
      issuerControls.requireDpopNonce(false);
    }
  });
});

describe('refused', () => {
  test('a token call proven with another DPoP key than the PAR’s', async () => {
    const { code, state } = await fapiLogin(fapiApp());
    const other = await generateKeyPair('ES256', { extractable: true });
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: stateKey(state),
        UpdateExpression: 'SET fapi.dpopKey = :key',
        ExpressionAttributeValues: {
          ':key': {
            sealedPrivateJwk: sealText(
              JSON.stringify(await exportJWK(other.privateKey)),
              (await stateKeysFrom(secretsManagerSource(), () => setting('STATE_KEYS_SECRET_ID'))())
                .sealingKey,
              `state:${state}`,
            ),
            publicJwk: await exportJWK(other.publicKey),
          },
        },
      }),
    );
    await expectUpstreamRefusal(
      await userInfo(fapiApp(), code, state),
      500,
      'upstream_error_status',
      'invalid_grant',
    );
  });

  test('a sealed DPoP key moved onto another state does not open there: 500, and the state is used up', async () => {
    const first = await fapiLogin(fapiApp());
    const second = await fapiLogin(fapiApp());
    const moved = (await storedState(first.state))?.fapi?.dpopKey;
    assert.ok(moved?.sealedPrivateJwk);
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: stateKey(second.state),
        UpdateExpression: 'SET fapi.dpopKey = :key',
        ExpressionAttributeValues: { ':key': moved },
      }),
    );
    await expectError(await userInfo(fapiApp(), second.code, second.state), 500, 'internal_error');
    await expectError(await userInfo(fapiApp(), second.code, second.state), 400, 'state_used');
  });

  test('an ID token with another nonce than the session’s', async () => {
    const { code, state } = await fapiLogin(fapiApp());
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: stateKey(state),
        UpdateExpression: 'SET fapi.nonce = :nonce',
        ExpressionAttributeValues: { ':nonce': 'not-the-nonce-we-sent' },
      }),
    );
    await expectError(await userInfo(fapiApp(), code, state), 500, 'upstream_bad_token');
  });

  const withFake = async (flaw: IdTokenFlaw, run: () => Promise<void>) => {
    process.env.SINGPASS_FAPI_ISSUER = fake.discoveryUrl.replace('/.well-known/openid-configuration', '');
    resetConfig();
    fake.flaw = flaw;
    try {
      await run();
    } finally {
      fake.flaw = 'none';
      process.env.SINGPASS_FAPI_ISSUER = issuer;
      resetConfig();
    }
  };

  /** Against the fake issuer: PAR and authorize pass, the ID token is what is being tested. */
  const fakeLogin = async () => {
    const response = await postJson(stack, fapiApp().apiKey, '/oidc/singpass/authReqUri', {
      purpose: 'login',
    });
    assert.equal(response.status, 200);
    const { authReqUri } = (await response.json()) as { authReqUri: string };
    const back = new URL((await fetch(authReqUri, { redirect: 'manual' })).headers.get('location') ?? '');
    return userInfo(fapiApp(), back.searchParams.get('code') ?? '', back.searchParams.get('state') ?? '');
  };

  test('the fake issuer is sound: its well-formed ID token is accepted', async () => {
    await withFake('none', async () => {
      await loginToken(fapiApp(), await fakeLogin());
    });
  });

  for (const [flaw, code] of [
    ['unencrypted', 'upstream_bad_encryption'],
    ['gcm-encrypted', 'upstream_bad_encryption'],
    ['subject-not-uuid', 'upstream_bad_token'],
    ['bad-signature', 'upstream_bad_token'],
    ['wrong-nonce', 'upstream_bad_token'],
    ['expired', 'upstream_bad_token'],
  ] as const) {
    test(`an ID token that is ${flaw} → 500 ${code}`, async () => {
      await withFake(flaw, async () => {
        await expectError(await fakeLogin(), 500, code);
      });
    });
  }
});

describe('FAPI key rotation', () => {
  const newKey = async (alg: 'ES256' | 'ECDH-ES+A256KW', kid: string) =>
    PrivateEcJwk.parse({
      ...(await exportJWK((await generateKeyPair(alg, { crv: 'P-256', extractable: true })).privateKey)),
      kid,
    });
  const publishedKids = async () => {
    const { keys } = (await (await fetch(`${stack.gatewayUrl}/singpass/jwks`)).json()) as { keys: JWK[] };
    return keys.map((key) => `${key.use}:${key.kid}`);
  };
  const loginSucceeds = async () => {
    const { code, state } = await fapiLogin(fapiApp());
    return userInfo(fapiApp(), code, state);
  };

  test('publish first, sign with the new key once the issuer has refetched our JWKS', async () => {
    const read = await new SecretsManagerClient({}).send(
      new GetSecretValueCommand({ SecretId: stack.secretIds.singpass }),
    );
    const secret = JSON.parse(read.SecretString ?? '') as SingpassSecret;
    const fapi = secret.fapi;
    assert.ok(fapi);
    const withFapi = (keys: Partial<typeof fapi>) =>
      JSON.stringify({ ...secret, fapi: { ...fapi, ...keys } });
    const before = await publishedKids();
    await loginToken(fapiApp(), await loginSucceeds()); // the issuer has now cached our JWKS
    const signing = await newKey('ES256', 'fapi-sig-rotated');
    const encryption = await newKey('ECDH-ES+A256KW', 'fapi-enc-rotated');
    try {
      // Signing at once with a key the issuer has not fetched yet is refused: hence two steps.
      stack.putSecret(stack.secretIds.singpass, withFapi({ signingKeys: [signing, ...fapi.signingKeys] }));
      await expectUpstreamRefusal(await loginInit(), 500, 'upstream_error_status', 'invalid_client');

      // Step 1: publish. The new encryption key may be current at once (we decrypt by kid).
      stack.putSecret(
        stack.secretIds.singpass,
        withFapi({
          signingKeys: [...fapi.signingKeys, signing],
          encryptionKeys: [encryption, ...fapi.encryptionKeys],
        }),
      );
      const published = await publishedKids();
      assert.deepEqual(published.filter((kid) => !before.includes(kid)).sort(), [
        'enc:fapi-enc-rotated',
        'sig:fapi-sig-rotated',
      ]);
      assert.ok(
        before.every((kid) => published.includes(kid)),
        'the previous keys stay published',
      );
      await loginToken(fapiApp(), await loginSucceeds());

      // Step 2, after the issuer's JWKS cache has run out: the new signing key becomes current.
      await stack.singpassFapi?.expireClientKeyCaches();
      await loginSucceeds(); // the issuer refetches while we still sign with the old key
      stack.putSecret(
        stack.secretIds.singpass,
        withFapi({
          signingKeys: [signing, ...fapi.signingKeys],
          encryptionKeys: [encryption, ...fapi.encryptionKeys],
        }),
      );
      const payload = await loginToken(fapiApp(), await loginSucceeds());
      assert.equal(payload.sub, `u=${persona.uuid}`);
    } finally {
      stack.putSecret(stack.secretIds.singpass, read.SecretString ?? '');
    }
  });
});
