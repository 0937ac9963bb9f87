import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type CpfhubSimulator, startCpfhubSimulator } from '@secpass/simulators/cpfhub';
import { mockpassKeys, startMockPass } from '@secpass/simulators/mockpass';
import { startMyinfoBizSimulator } from '@secpass/simulators/myinfobiz';
import { assertPortFree, freePort } from '@secpass/simulators/ports';
import { startSgVerifySimulator } from '@secpass/simulators/sgverify';
import { type SingpassFapiIssuer, startSingpassFapiIssuer } from '@secpass/simulators/singpass-fapi';
import type { SecretName } from '../infra/access.ts';
import { onboardApp } from '../shared/adapters/admin/onboarding.ts';
import { sandboxEnvironment } from '../shared/adapters/sandbox.ts';
import { CPFHUB_SCOPES } from '../shared/apps/cpfhub-scopes.ts';
import type { CpfhubSecret } from '../shared/secrets/cpfhub-credentials.ts';
import type { PkiCredentialsSecret } from '../shared/secrets/pki-credentials.ts';
import type { SigningSecret } from '../shared/secrets/signing-keys.ts';
import type { SingpassSecret } from '../shared/secrets/singpass-keys.ts';
import type { StateKeysSecret } from '../shared/secrets/state-keys.ts';
import { secretsPolicy, tablePolicy } from './access-policy.ts';
import type { DemoApp } from './demo-app/registered-app.ts';
import { startDemoAppServer } from './demo-app/server.ts';
import { type DevKeys, loadOrCreateDevKeys, newAppKeyPair } from './dev-keys.ts';
import { startDynamoDbGuard } from './dynamodb-guard.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { startGateway } from './gateway.ts';
import { registerGateway } from './gateway-registry.ts';
import { type DemoAppKeys, type DemoAppSettings, restoreDemoApp } from './kept-demo-apps.ts';
import { useLocalEnvironment } from './local-environment.ts';
import { publishLocalKeys } from './publish-local-keys.ts';
import { NO_SAVED_APPS, readSavedApps, restoreRecords, type SavedApps, saveTableApps } from './saved-apps.ts';
import { startSecretsEndpoint } from './secrets-endpoint.ts';

/**
 * The whole broker on loopback: DynamoDB Local, the Secrets Manager endpoint, MockPass, the
 * API Gateway emulator running the real handlers, and demo apps registered. `npm start`, the
 * integration tests and the bench all start it through here, so they exercise the same thing.
 */
export interface LocalPorts {
  gateway: number;
  mockpass: number;
  myinfobiz: number;
  sgverify: number;
  cpfhub: number;
  singpassFapi: number;
  dynamodb: number;
  secrets: number;
  demoApp: number;
}

export type { DemoApp } from './demo-app/registered-app.ts';

export interface LocalStack {
  gatewayUrl: string;
  secpassJwksUrl: string;
  dynamodbUrl: string;
  secretsUrl: string;
  demoAppUrl: string;
  upstreams: {
    mockpass: string;
    myinfobiz: string;
    sgverify: string;
    sgverifyPhone: string;
    cpfhub: string;
    singpassFapi: string;
  };
  /** The CPFHub simulator's test controls (rate limit, delay, faults, counters). */
  cpfhub: CpfhubSimulator;
  /** The built-in Singpass FAPI 2.0 issuer's test controls; absent when another issuer is used. */
  singpassFapi?: Pick<SingpassFapiIssuer, 'expireClientKeyCaches' | 'setClockSkew' | 'requireDpopNonce'>;
  /** The FAPI demo app's Singpass registrations, as recorded in its app record. */
  fapiClients: FapiDemoClients;
  apps: DemoApp[];
  /** With `sandbox`: the app calls without an API key are served as (demo app 1). */
  sandboxAppId?: string;
  secretIds: typeof SECRET_IDS;
  /** What the in-process handlers' environment holds, so another process can run them alike. */
  handlerEnvironment: Record<string, string>;
  flushAuthorizerCache(): void;
  /** Replaces a secret's value, as an operator filling or rotating it on AWS would. */
  putSecret(name: string, value: string): void;
  stopMockPass(): Promise<void>;
  /** How many times MockPass crashed and was started again. */
  mockpassRestarts(): number;
  stop(): Promise<void>;
}

/** The Singpass registrations of the FAPI demo app: one Login app, one Myinfo app. */
export interface FapiDemoClients {
  login: string;
  myinfo: string;
  /** A second Myinfo registration on the built-in issuer whose userinfo is A256CBC-HS512-encrypted. */
  myinfoCbc?: string;
}

/** Another FAPI 2.0 issuer (Singpass staging, say) in place of the built-in one. */
export interface ExternalFapiIssuer {
  issuer: string;
  loginClientId: string;
  myinfoClientId: string;
}

export interface LocalStackOptions {
  /** Fixed ports (npm start) or undefined for free ones (tests). */
  ports?: Partial<LocalPorts>;
  /** Where to keep dev keys across restarts; undefined = fresh keys in memory only. */
  devKeysFile?: string;
  demoAppCount?: number;
  /** Lifetime of the CPFHub simulator's access tokens; tests shorten it to see refreshes. */
  cpfhubAccessTokenSeconds?: number;
  /** Use this issuer and these registrations for the FAPI demo app instead of starting our own. */
  fapiIssuer?: ExternalFapiIssuer;
  /** Where MockPass's own output goes (a file in it); undefined = nowhere. Never the broker's log. */
  simulatorLogDir?: string;
  /**
   * Keep apps across restarts (DynamoDB Local is in memory): the records saved in `file` go back
   * in the table, demo apps keep their ids and, from `lastDemoKeys` (the last demo-app.json), their
   * keys; the file is rewritten once the apps are in and again at stop. Undefined = fresh apps.
   */
  savedApps?: { file: string; lastDemoKeys: readonly DemoAppKeys[] };
  /** Serve calls without an API key as demo app 1, as a sandbox deployment does (`npm start -- --sandbox`). */
  sandbox?: boolean;
  /** Told each part's name and address as it comes up (npm start prints them). */
  onProgress?: (part: string, detail: string) => void;
}

const TABLE = 'secpass-local';
const SECRET_IDS = {
  signing: 'secpass/local/signing',
  publicKeys: 'secpass/local/public-keys',
  stateKeys: 'secpass/local/state-keys',
  myinfo: 'secpass/local/myinfo',
  myinfobiz: 'secpass/local/myinfobiz',
  sgverify: 'secpass/local/sgverify',
  singpass: 'secpass/local/singpass',
  cpfhub: 'secpass/local/cpfhub',
} satisfies Record<SecretName, string>;
const MYINFOBIZ_CLIENT_ID = 'STG2-SECPASS-BIZ-LOCAL';
const SGVERIFY_CLIENT_ID = 'STG2-SECPASS-SGVERIFY-LOCAL';
const SINGPASS_CLIENT_ID = 'secpass-local';
const CPFHUB_CLIENT_ID = 'secpass-cpfhub-local';
/** Singpass client ids are 32 letters and digits; these name the built-in issuer's registrations. */
const BUILT_IN_FAPI_CLIENTS: Required<FapiDemoClients> = {
  login: 'SecpassLocalDemoLoginApp00000001',
  myinfo: 'SecpassLocalDemoMyinfoApp0000001',
  myinfoCbc: 'SecpassLocalDemoMyinfoCbcApp0001',
};
/** Demo apps 1 and 2 stay on the legacy upstreams; the third moves Singpass and Myinfo to FAPI 2.0. */
const FAPI_DEMO_APP = 3;
/** What the FAPI demo app's Login app asks for: `user.identity` shows the NRIC goes no further. */
const DEMO_LOGIN_SCOPES = ['user.identity', 'name'] as const;

const MYINFO_CLIENT_ID = 'STG2-SECPASS-LOCAL';
const DEMO_ATTRIBUTES = [
  'uinfin',
  'name',
  'sex',
  'race',
  'nationality',
  'dob',
  'regadd',
  'mobileno',
  'email',
];
/** The FAPI demo app's Myinfo app: v5 catalog ids, a dotted one among them. */
const DEMO_FAPI_SCOPES = [...DEMO_ATTRIBUTES, 'cpfbalances.oa'];
const DEMO_SGVERIFY_ATTRIBUTES = ['uinfin', 'partialuinfin', 'name', 'sex', 'nationality', 'mobileno'];
const DEMO_BIZ_ATTRIBUTES = [
  'basic-profile',
  'addresses',
  'appointments',
  'uinfin',
  'name',
  'nationality',
  'email',
];

const resolvePorts = async (
  wanted: Partial<LocalPorts> = {},
  unused: (keyof LocalPorts)[] = [],
): Promise<LocalPorts> => {
  const names: (keyof LocalPorts)[] = [
    'gateway',
    'mockpass',
    'myinfobiz',
    'sgverify',
    'cpfhub',
    'singpassFapi',
    'dynamodb',
    'secrets',
    'demoApp',
  ];
  const ports = {} as LocalPorts;
  for (const name of names) {
    const port = unused.includes(name) ? undefined : wanted[name];
    if (port !== undefined) await assertPortFree(port, name);
    // Our own servers take port 0 (the system picks one as they listen, so no other process can
    // take it first); only Java needs a number handed to it.
    ports[name] = port ?? (name === 'dynamodb' ? await freePort() : 0);
  }
  return ports;
};

const signingSecret = (keys: DevKeys): SigningSecret => ({
  keys: [keys.signingJwk as SigningSecret['keys'][number]],
});

const myinfoSecret = (keys: DevKeys): PkiCredentialsSecret => ({
  clientId: MYINFO_CLIENT_ID,
  clientSecret: keys.myinfoClientSecret,
  privateKeys: [mockpassKeys.relyingPartyPrivateKeyPem],
  upstreamCertificates: [mockpassKeys.mockpassCertificatePem],
});

// Locally our Myinfo Business and SG-Verify key is MockPass's relying-party pair too; each
// simulator signs with its own.
const simulatorSecret = (
  clientId: string,
  keys: DevKeys,
  simulatorCertificatePem: string,
): PkiCredentialsSecret => ({
  clientId,
  clientSecret: keys.myinfoClientSecret,
  privateKeys: [mockpassKeys.relyingPartyPrivateKeyPem],
  upstreamCertificates: [simulatorCertificatePem],
});

type PrivateJwk = SingpassSecret['signingKeys'][number];
const singpassSecret = (keys: DevKeys): SingpassSecret => ({
  clientId: SINGPASS_CLIENT_ID,
  signingKeys: [keys.singpassSigningJwk as PrivateJwk],
  encryptionKeys: [keys.singpassEncryptionJwk as PrivateJwk],
  fapi: {
    signingKeys: [keys.fapiSigningJwk as PrivateJwk],
    encryptionKeys: [keys.fapiEncryptionJwk as PrivateJwk],
  },
});

// The callback carries the app's position rather than its id: the id exists only after creation.
const demoCallbacks = (demoAppUrl: string, n: number): DemoApp['callbacks'] => ({
  myinfo: `${demoAppUrl}/apps/${n}/callback/myinfo`,
  myinfobiz: `${demoAppUrl}/apps/${n}/callback/myinfobiz`,
  singpass: `${demoAppUrl}/apps/${n}/callback/singpass`,
  cpfhub: `${demoAppUrl}/apps/${n}/callback/cpfhub`,
});

const newStateKeysSecret = (): StateKeysSecret => ({
  keys: [{ kid: 'states-local-1', key: randomBytes(32).toString('base64') }],
});

/** Fresh each start: DynamoDB Local is in memory, so no grant sealed with an older key survives anyway. */
const newCpfhubSecret = (): CpfhubSecret => ({
  apiKey: randomBytes(24).toString('base64url'),
  clientId: CPFHUB_CLIENT_ID,
  clientSecret: randomBytes(24).toString('base64url'),
  tokenKeys: [{ kid: 'local-1', key: randomBytes(32).toString('base64') }],
});

const demoAppSettings = (n: number, demoAppUrl: string, fapiClients: FapiDemoClients): DemoAppSettings => {
  const fapi = n === FAPI_DEMO_APP;
  const name = fapi ? `Demo app ${n} (Singpass FAPI 2.0)` : `Demo app ${n}`;
  const callbacks = demoCallbacks(demoAppUrl, n);
  const profile = fapi ? 'fapi2' : 'legacy';
  return {
    name,
    providers: {
      myinfo: {
        callbackUrl: callbacks.myinfo,
        profile,
        ...(fapi
          ? { fapi2: { clientId: fapiClients.myinfo, scopes: DEMO_FAPI_SCOPES } }
          : { attributes: DEMO_ATTRIBUTES, purpose: `Sign up with ${name}` }),
      },
      myinfobiz: {
        callbackUrl: callbacks.myinfobiz,
        attributes: DEMO_BIZ_ATTRIBUTES,
        purpose: `Onboard your company with ${name}`,
      },
      singpass: {
        callbackUrl: callbacks.singpass,
        profile,
        ...(fapi
          ? {
              fapi2: {
                clientId: fapiClients.login,
                authenticationContextType: 'APP_AUTHENTICATION_DEFAULT',
                scopes: [...DEMO_LOGIN_SCOPES],
              },
            }
          : {}),
      },
      sgverify: { attributes: DEMO_SGVERIFY_ATTRIBUTES },
      cpfhub: { scopes: [...CPFHUB_SCOPES], callbackUrl: callbacks.cpfhub },
    },
  };
};

/** e.g. `3 demo apps kept, 1 other app kept; calls without an API key act as Demo app 1`. */
const appsProgress = (registered: RegisteredApps, sandboxAppId: string | undefined): string => {
  const { apps, keptDemoApps, otherApps } = registered;
  const plural = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  return [
    keptDemoApps === apps.length
      ? `${plural(apps.length, 'demo app')} kept`
      : `${plural(apps.length, 'demo app')} (${apps.length - keptDemoApps} new)`,
    ...(otherApps > 0 ? [`${plural(otherApps, 'other app')} kept`] : []),
  ]
    .join(', ')
    .concat(sandboxAppId ? `; calls without an API key act as ${apps[0]?.name} (${sandboxAppId})` : '');
};

/** What registering the apps did, for the progress line. */
interface RegisteredApps {
  apps: DemoApp[];
  keptDemoApps: number;
  otherApps: number;
}

/**
 * The saved apps that are no demo app go back as they were; each demo app comes back with its id
 * (and its keys where the last demo-app.json still has them), or is onboarded afresh.
 */
const registerApps = async (
  count: number,
  demoAppUrl: string,
  fapiClients: FapiDemoClients,
  saved: SavedApps,
  lastKeys: readonly DemoAppKeys[],
): Promise<RegisteredApps> => {
  const demoIds = new Set(saved.demoAppIds);
  const others = saved.records.filter((record) => !demoIds.has(record.appId));
  await restoreRecords(others);
  const apps: DemoApp[] = [];
  let keptDemoApps = 0;
  for (let n = 1; n <= count; n += 1) {
    const settings = demoAppSettings(n, demoAppUrl, fapiClients);
    const kept = await restoreDemoApp(n, saved, lastKeys, settings);
    if (kept) keptDemoApps += 1;
    const { app, apiKey, privateJwk } = kept ?? (await onboardDemoApp(settings));
    apps.push({
      appId: app.appId,
      name: settings.name,
      apiKey,
      privateJwk,
      callbacks: demoCallbacks(demoAppUrl, n),
    });
  }
  return { apps, keptDemoApps, otherApps: others.length };
};

const onboardDemoApp = async (settings: DemoAppSettings) => {
  const { publicJwk, privateJwk } = await newAppKeyPair();
  return { ...(await onboardApp({ ...settings, publicJwk })), privateJwk };
};

/**
 * The built-in issuer, registering the FAPI demo app's Login app and Myinfo apps as Singpass's
 * portal would: each with its allowed scopes, both redirect URLs, and our relying-party JWKS URL,
 * which, like Singpass, it reads our public keys from.
 */
const startBuiltInFapiIssuer = (port: number, gatewayUrl: string, callbacks: DemoApp['callbacks']) => {
  const common = {
    redirectUris: [callbacks.singpass, callbacks.myinfo],
    jwksUri: `${gatewayUrl}/singpass/jwks`,
  };
  return startSingpassFapiIssuer({
    port,
    clients: [
      { ...common, clientId: BUILT_IN_FAPI_CLIENTS.login, appType: 'login', scopes: [...DEMO_LOGIN_SCOPES] },
      { ...common, clientId: BUILT_IN_FAPI_CLIENTS.myinfo, appType: 'myinfo', scopes: DEMO_FAPI_SCOPES },
      {
        ...common,
        clientId: BUILT_IN_FAPI_CLIENTS.myinfoCbc,
        appType: 'myinfo',
        scopes: DEMO_FAPI_SCOPES,
        userinfoEncryption: 'A256CBC-HS512',
      },
    ],
  });
};

/**
 * Java binds its port a second after we picked it; on a busy machine (tests in parallel) another
 * process can take a picked free port meanwhile, so a picked one is retried on a fresh port.
 */
const startDynamoDb = async (port: number, picked: boolean) => {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startDynamoDbLocal(attempt === 1 ? port : await freePort(), TABLE);
    } catch (error) {
      if (!picked || attempt === 3) throw error;
    }
  }
};

export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  // Another issuer in place of ours leaves our issuer's port alone.
  const ports = await resolvePorts(options.ports, options.fapiIssuer ? ['singpassFapi'] : []);
  const keys = await loadOrCreateDevKeys(options.devKeysFile);
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const progress = options.onProgress ?? (() => undefined);
    const dynamodb = await startDynamoDb(ports.dynamodb, options.ports?.dynamodb === undefined);
    stops.push(dynamodb.stop);
    progress('DynamoDB Local', dynamodb.url);
    // The functions' grants hold here as on AWS: the guard and the endpoint refuse the rest.
    const dynamodbGuard = await startDynamoDbGuard(dynamodb.url, tablePolicy(TABLE));
    stops.push(dynamodbGuard.stop);
    const secrets = await startSecretsEndpoint(ports.secrets, { policy: secretsPolicy(SECRET_IDS) });
    stops.push(secrets.stop);
    progress('Secrets Manager endpoint', secrets.url);
    // As an operator's `npm run keys` does, a write of a secret with published keys republishes them.
    const putSecret = (name: string, value: string) => {
      secrets.put(name, value);
      publishLocalKeys(secrets, SECRET_IDS, name);
    };
    putSecret(SECRET_IDS.signing, JSON.stringify(signingSecret(keys)));
    secrets.put(SECRET_IDS.myinfo, JSON.stringify(myinfoSecret(keys)));
    // Fresh each start: DynamoDB Local is in memory, so no state sealed with an older key survives.
    secrets.put(SECRET_IDS.stateKeys, JSON.stringify(newStateKeysSecret()));
    putSecret(SECRET_IDS.singpass, JSON.stringify(singpassSecret(keys)));
    // The gateway first: the upstreams need its URL, and its handlers read their settings only
    // when a request comes, after the environment below is in place.
    const gateway = await startGateway(ports.gateway);
    stops.push(gateway.stop);
    const gatewayUrl = gateway.url;
    registerGateway(gatewayUrl);
    progress('API gateway', gatewayUrl);
    const secpassJwksUrl = `${gatewayUrl}/.well-known/jwks.json`;
    let apps: DemoApp[] = [];
    const demoApp = await startDemoAppServer(ports.demoApp, () => ({ gatewayUrl, secpassJwksUrl, apps }));
    stops.push(demoApp.stop);
    progress('demo app', demoApp.url);
    const demoAppCount = options.demoAppCount ?? 3;
    const callbacksOfAllApps = Array.from({ length: demoAppCount }, (_, i) =>
      demoCallbacks(demoApp.url, i + 1),
    );
    const mockpass = await startMockPass(ports.mockpass, {
      myinfoClientSecret: keys.myinfoClientSecret,
      relyingPartyJwksUrl: `${gatewayUrl}/singpass/jwks`,
      ...(options.simulatorLogDir ? { logFile: join(options.simulatorLogDir, 'mockpass.log') } : {}),
    });
    stops.push(mockpass.stop);
    progress('MockPass', mockpass.url);
    const myinfobiz = await startMyinfoBizSimulator({
      port: ports.myinfobiz,
      clientId: MYINFOBIZ_CLIENT_ID,
      clientSecret: keys.myinfoClientSecret,
      clientPublicKeyPem: mockpassKeys.relyingPartyCertificatePem,
    });
    stops.push(myinfobiz.stop);
    progress('Myinfo Business simulator', myinfobiz.url);
    secrets.put(
      SECRET_IDS.myinfobiz,
      JSON.stringify(simulatorSecret(MYINFOBIZ_CLIENT_ID, keys, myinfobiz.certificatePem)),
    );
    const sgverify = await startSgVerifySimulator({
      port: ports.sgverify,
      clientId: SGVERIFY_CLIENT_ID,
      clientSecret: keys.myinfoClientSecret,
      clientPublicKeyPem: mockpassKeys.relyingPartyCertificatePem,
      allowedCallbackPrefixes: [`${gatewayUrl}/sgverify/callback`],
    });
    stops.push(sgverify.stop);
    progress('SG-Verify simulator', sgverify.url);
    secrets.put(
      SECRET_IDS.sgverify,
      JSON.stringify(simulatorSecret(SGVERIFY_CLIENT_ID, keys, sgverify.certificatePem)),
    );
    const singpassFapi = options.fapiIssuer
      ? undefined
      : await startBuiltInFapiIssuer(
          ports.singpassFapi,
          gatewayUrl,
          demoCallbacks(demoApp.url, FAPI_DEMO_APP),
        );
    if (singpassFapi) stops.push(singpassFapi.stop);
    const fapiIssuer = options.fapiIssuer?.issuer ?? singpassFapi?.issuer ?? '';
    progress(singpassFapi ? 'Singpass FAPI 2.0 issuer' : 'Singpass FAPI 2.0 issuer (external)', fapiIssuer);
    const fapiClients: FapiDemoClients = options.fapiIssuer
      ? { login: options.fapiIssuer.loginClientId, myinfo: options.fapiIssuer.myinfoClientId }
      : BUILT_IN_FAPI_CLIENTS;
    const cpfhubSecret = newCpfhubSecret();
    const cpfhub = await startCpfhubSimulator({
      port: ports.cpfhub,
      apiKeys: [{ key: cpfhubSecret.apiKey, scopes: [...CPFHUB_SCOPES] }],
      clients: [
        {
          clientId: CPFHUB_CLIENT_ID,
          clientSecret: cpfhubSecret.clientSecret,
          redirectUris: callbacksOfAllApps.map((callbacks) => callbacks.cpfhub),
          scopes: [...CPFHUB_SCOPES],
        },
      ],
      accessTokenSeconds: options.cpfhubAccessTokenSeconds,
    });
    stops.push(cpfhub.stop);
    progress('CPFHub simulator', cpfhub.url);
    secrets.put(SECRET_IDS.cpfhub, JSON.stringify(cpfhubSecret));
    const handlerEnvironment: Record<string, string> = {
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbGuard.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      SECPASS_TABLE: TABLE,
      SECPASS_SIGNING_SECRET_ID: SECRET_IDS.signing,
      SECPASS_PUBLIC_KEYS_SECRET_ID: SECRET_IDS.publicKeys,
      STATE_KEYS_SECRET_ID: SECRET_IDS.stateKeys,
      // Configuration, as the stack sets them from CDK context (the secrets need not hold them).
      MYINFO_CLIENT_ID: MYINFO_CLIENT_ID,
      MYINFOBIZ_CLIENT_ID: MYINFOBIZ_CLIENT_ID,
      SGVERIFY_CLIENT_ID: SGVERIFY_CLIENT_ID,
      SINGPASS_CLIENT_ID: SINGPASS_CLIENT_ID,
      CPFHUB_CLIENT_ID: CPFHUB_CLIENT_ID,
      MYINFO_SECRET_ID: SECRET_IDS.myinfo,
      MYINFO_BASE_URL: mockpass.myinfoBaseUrl,
      MYINFOBIZ_SECRET_ID: SECRET_IDS.myinfobiz,
      MYINFOBIZ_BASE_URL: myinfobiz.baseUrl,
      SGVERIFY_SECRET_ID: SECRET_IDS.sgverify,
      SGVERIFY_API_BASE_URL: sgverify.apiBaseUrl,
      SGVERIFY_QR_BASE_URL: sgverify.qrBaseUrl,
      SINGPASS_SECRET_ID: SECRET_IDS.singpass,
      SINGPASS_DISCOVERY_URL: mockpass.singpassDiscoveryUrl,
      SINGPASS_FAPI_ISSUER: fapiIssuer,
      CPFHUB_SECRET_ID: SECRET_IDS.cpfhub,
      CPFHUB_API_BASE_URL: cpfhub.apiBaseUrl,
      CPFHUB_OAUTH_BASE_URL: cpfhub.oauthBaseUrl,
      SECPASS_ISSUER: gatewayUrl,
      // Not `sandbox` unless asked below: a keyless call is then refused as on test and prod.
      SECPASS_ENVIRONMENT: 'local',
    };
    useLocalEnvironment(handlerEnvironment);
    const saved = options.savedApps ? readSavedApps(options.savedApps.file) : NO_SAVED_APPS;
    const registered = await registerApps(
      demoAppCount,
      demoApp.url,
      fapiClients,
      saved,
      options.savedApps?.lastDemoKeys ?? [],
    );
    apps = registered.apps;
    const sandboxAppId = options.sandbox ? apps[0]?.appId : undefined;
    if (options.sandbox && !sandboxAppId) throw new Error('--sandbox needs at least one demo app');
    if (sandboxAppId) {
      Object.assign(handlerEnvironment, sandboxEnvironment(sandboxAppId));
      useLocalEnvironment(handlerEnvironment);
    }
    if (options.savedApps) {
      const { file } = options.savedApps;
      const demoAppIds = apps.map((app) => app.appId);
      await saveTableApps(file, demoAppIds);
      // Before DynamoDB Local stops (stops run last first): what changed while running is kept too.
      stops.push(() => saveTableApps(file, demoAppIds));
    }
    progress('apps', appsProgress(registered, sandboxAppId));
    return {
      gatewayUrl: gateway.url,
      secpassJwksUrl,
      dynamodbUrl: dynamodbGuard.url,
      secretsUrl: secrets.url,
      demoAppUrl: demoApp.url,
      upstreams: {
        mockpass: mockpass.url,
        myinfobiz: myinfobiz.url,
        sgverify: sgverify.url,
        sgverifyPhone: sgverify.phoneUrl,
        cpfhub: cpfhub.url,
        singpassFapi: fapiIssuer,
      },
      cpfhub,
      ...(singpassFapi ? { singpassFapi } : {}),
      fapiClients,
      apps,
      ...(sandboxAppId ? { sandboxAppId } : {}),
      secretIds: SECRET_IDS,
      handlerEnvironment,
      flushAuthorizerCache: gateway.flushAuthorizerCache,
      putSecret,
      stopMockPass: mockpass.stop,
      mockpassRestarts: mockpass.restarts,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
