import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JWK } from 'jose';
import * as z from 'zod/mini';
import { STAGE_NAME } from '../infra/routes.ts';
import { demoFileIn, localDirectory, replaceDemoAppKey } from '../local/demo-file.ts';
import { newAppKeyPair } from '../local/dev-keys.ts';
import { useLocalEnvironment } from '../local/local-environment.ts';
import { savedAppsFileIn, saveTableApps } from '../local/saved-apps.ts';
import { ensureUsageKey, onboardApp, rotateAppApiKey } from '../shared/adapters/admin/onboarding.ts';
import { attachUsagePlan, DEFAULT_APP_THROTTLE } from '../shared/adapters/admin/usage-plan.ts';
import { getApp, listApps, setAppProviders, setAppStatus } from '../shared/adapters/dynamodb/app-store.ts';
import {
  type AppRecord,
  CpfhubSettings,
  MyinfoPersonSettings,
  MyinfoSettings,
  SgVerifySettings,
  SingpassSettings,
} from '../shared/apps/app-record.ts';
import { exitWithUsageIfAsked } from './help.ts';

/**
 * `npm run apps -- <create|list|disable|enable|rotate-key> …`: manages apps in the table named by
 * SECPASS_TABLE (AWS credentials and region from the usual AWS environment; set
 * AWS_ENDPOINT_URL_DYNAMODB for another endpoint), or with --local in the table of a running
 * `npm start`.
 */
const USAGE = `usage:
  npm run apps -- create --name NAME (--public-jwk JSON | --public-jwk-file FILE | --generate-key)
                  [--myinfo-callback URL --myinfo-attributes a,b,c --myinfo-purpose TEXT [--myinfo-subentity ID]]
                  [--myinfobiz-callback URL --myinfobiz-attributes a,b,c --myinfobiz-purpose TEXT [--myinfobiz-subentity ID]]
                  [--myinfo-profile legacy|fapi2] [--myinfo-fapi-client-id ID --myinfo-scopes a,b.c]
                  [--singpass-callback URL [--singpass-profile legacy|fapi2]]
                  [--singpass-fapi-client-id ID [--singpass-context-type TYPE] [--singpass-context-message TEXT]
                   [--singpass-scopes a,b]]
                  [--sgverify-attributes a,b,c [--sgverify-subentity ID]]
                  [--cpfhub-scopes a,b [--cpfhub-callback URL]] [--rate-limit N --burst-limit N]
  npm run apps -- update APP_ID [any provider option above: the given fields replace the app's]
  npm run apps -- list
  npm run apps -- disable APP_ID
  npm run apps -- enable APP_ID
  npm run apps -- rotate-key APP_ID
  npm run apps -- attach-plan APP_ID [--rate-limit N --burst-limit N]
options: --local  use the table of a running \`npm start\` (reads .local/demo-app.json, or the one in
                 $SECPASS_LOCAL_DIR); a change is saved in apps.json there, so it outlives a restart
On AWS, set SECPASS_REST_API_ID (the stack output RestApiId): create and attach-plan then give the
app its own API Gateway usage plan; without one the gateway refuses the app's calls.`;

class UsageError extends Error {}

exitWithUsageIfAsked(USAGE);

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    local: { type: 'boolean', default: false },
    name: { type: 'string' },
    'public-jwk': { type: 'string' },
    'public-jwk-file': { type: 'string' },
    'generate-key': { type: 'boolean', default: false },
    'myinfo-callback': { type: 'string' },
    'myinfo-attributes': { type: 'string' },
    'myinfo-purpose': { type: 'string' },
    'myinfo-subentity': { type: 'string' },
    'myinfobiz-callback': { type: 'string' },
    'myinfobiz-attributes': { type: 'string' },
    'myinfobiz-purpose': { type: 'string' },
    'myinfobiz-subentity': { type: 'string' },
    'singpass-callback': { type: 'string' },
    'singpass-profile': { type: 'string' },
    'myinfo-profile': { type: 'string' },
    'myinfo-fapi-client-id': { type: 'string' },
    'myinfo-scopes': { type: 'string' },
    'singpass-fapi-client-id': { type: 'string' },
    'singpass-context-type': { type: 'string' },
    'singpass-context-message': { type: 'string' },
    'singpass-scopes': { type: 'string' },
    'sgverify-attributes': { type: 'string' },
    'sgverify-subentity': { type: 'string' },
    'cpfhub-scopes': { type: 'string' },
    'cpfhub-callback': { type: 'string' },
    'rate-limit': { type: 'string' },
    'burst-limit': { type: 'string' },
  },
});

const useLocalStack = () => {
  const demo = JSON.parse(readFileSync(demoFileIn(localDirectory()), 'utf8')) as {
    dynamodbUrl: string;
    tableName: string;
  };
  useLocalEnvironment({ AWS_ENDPOINT_URL_DYNAMODB: demo.dynamodbUrl, SECPASS_TABLE: demo.tableName });
};

const appPublicKey = async (): Promise<{ publicJwk: JWK; privateJwk?: JWK }> => {
  if (options['generate-key']) return newAppKeyPair();
  const raw =
    options['public-jwk'] ?? (options['public-jwk-file'] && readFileSync(options['public-jwk-file'], 'utf8'));
  if (!raw) throw new UsageError('create needs --public-jwk, --public-jwk-file or --generate-key');
  const publicJwk = JSON.parse(raw) as JWK;
  if ('d' in publicJwk)
    throw new UsageError('that JWK holds a private key: give Secpass the public part only');
  return { publicJwk };
};

const list = (name: 'myinfo-attributes' | 'myinfobiz-attributes' | 'myinfo-scopes' | 'singpass-scopes') =>
  options[name]?.split(',').filter(Boolean);

/** The given options only: `update` lays them over what the record holds. */
const defined = <T extends Record<string, unknown>>(fields: T): Partial<T> =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;

type Providers = AppRecord['providers'];

const myinfobizSettings = (current: Providers['myinfobiz']): Providers['myinfobiz'] => {
  const given = defined({
    callbackUrl: options['myinfobiz-callback'],
    attributes: list('myinfobiz-attributes'),
    purpose: options['myinfobiz-purpose'],
    subentity: options['myinfobiz-subentity'],
  });
  if (Object.keys(given).length === 0) return current;
  return MyinfoSettings.parse({ ...current, ...given });
};

/** Myinfo: the v3 settings for the legacy profile, the Singpass Myinfo app's registration for fapi2. */
const myinfoSettings = (current: Providers['myinfo']): Providers['myinfo'] => {
  const given = defined({
    callbackUrl: options['myinfo-callback'],
    profile: options['myinfo-profile'],
    attributes: list('myinfo-attributes'),
    purpose: options['myinfo-purpose'],
    subentity: options['myinfo-subentity'],
  });
  const fapi2 = defined({ clientId: options['myinfo-fapi-client-id'], scopes: list('myinfo-scopes') });
  if (Object.keys(given).length === 0 && Object.keys(fapi2).length === 0) return current;
  return MyinfoPersonSettings.parse({
    ...current,
    ...given,
    ...(Object.keys(fapi2).length > 0 ? { fapi2: { ...current?.fapi2, ...fapi2 } } : {}),
  });
};

/** Singpass Login: the callback and profile, and for fapi2 the Singpass Login app's registration. */
const singpassSettings = (current: Providers['singpass']): Providers['singpass'] => {
  const given = defined({ callbackUrl: options['singpass-callback'], profile: options['singpass-profile'] });
  const fapi2 = defined({
    clientId: options['singpass-fapi-client-id'],
    authenticationContextType: options['singpass-context-type'],
    authenticationContextMessage: options['singpass-context-message'],
    scopes: list('singpass-scopes'),
  });
  if (Object.keys(given).length === 0 && Object.keys(fapi2).length === 0) return current;
  return SingpassSettings.parse({
    ...current,
    ...given,
    ...(Object.keys(fapi2).length > 0 ? { fapi2: { ...current?.fapi2, ...fapi2 } } : {}),
  });
};

const sgverifySettings = (): Providers['sgverify'] =>
  options['sgverify-attributes']
    ? SgVerifySettings.parse({
        attributes: options['sgverify-attributes'].split(',').filter(Boolean),
        subentity: options['sgverify-subentity'],
      })
    : undefined;

const cpfhubSettings = (): Providers['cpfhub'] =>
  options['cpfhub-scopes']
    ? CpfhubSettings.parse({
        scopes: options['cpfhub-scopes'].split(',').filter(Boolean),
        callbackUrl: options['cpfhub-callback'],
      })
    : undefined;

const positiveNumber = (name: 'rate-limit' | 'burst-limit', fallback: number): number => {
  const raw = options[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new UsageError(`--${name} must be a positive number`);
  return value;
};

/** On AWS (SECPASS_REST_API_ID set), the app's own usage plan; locally the gateway meters nothing. */
const usagePlanFor = async (app: AppRecord): Promise<string> => {
  const restApiId = process.env.SECPASS_REST_API_ID;
  if (options.local || !restApiId) {
    return options.local ? 'local: not metered' : 'none: set SECPASS_REST_API_ID, then run attach-plan';
  }
  if (!app.usageKey) throw new Error(`app ${app.appId} has no usage key`);
  const { usagePlanId } = await attachUsagePlan({
    restApiId,
    stage: STAGE_NAME,
    appId: app.appId,
    usageKey: app.usageKey,
    throttle: {
      rateLimit: positiveNumber('rate-limit', DEFAULT_APP_THROTTLE.rateLimit),
      burstLimit: positiveNumber('burst-limit', DEFAULT_APP_THROTTLE.burstLimit),
    },
  });
  return usagePlanId;
};

const commands: Record<string, (appId?: string) => Promise<unknown>> = {
  create: async () => {
    if (!options.name) throw new UsageError('create needs --name');
    const { publicJwk, privateJwk } = await appPublicKey();
    const { app, apiKey } = await onboardApp({
      name: options.name,
      publicJwk,
      providers: {
        myinfo: myinfoSettings(undefined),
        myinfobiz: myinfobizSettings(undefined),
        singpass: singpassSettings(undefined),
        sgverify: sgverifySettings(),
        cpfhub: cpfhubSettings(),
      },
    });
    return {
      appId: app.appId,
      apiKey,
      usagePlan: await usagePlanFor(app),
      ...(privateJwk ? { privateJwk } : {}),
      note: 'The API key (and any generated private key) is shown only now; Secpass keeps a hash.',
    };
  },
  update: async (appId) => {
    const app = await getApp(required(appId));
    if (!app) throw new Error(`no app ${appId}`);
    const providers: Providers = {
      ...app.providers,
      myinfo: myinfoSettings(app.providers.myinfo),
      myinfobiz: myinfobizSettings(app.providers.myinfobiz),
      singpass: singpassSettings(app.providers.singpass),
      sgverify: sgverifySettings() ?? app.providers.sgverify,
      cpfhub: cpfhubSettings() ?? app.providers.cpfhub,
    };
    await setAppProviders(app.appId, providers);
    return { appId: app.appId, providers };
  },
  list: async () =>
    (await listApps()).map(({ appId, name, status, providers, createdAt }) => ({
      appId,
      name,
      status,
      providers: Object.keys(providers),
      createdAt,
    })),
  disable: async (appId) =>
    setAppStatus(required(appId), 'disabled').then(() => ({ appId, status: 'disabled' })),
  enable: async (appId) => setAppStatus(required(appId), 'active').then(() => ({ appId, status: 'active' })),
  'attach-plan': async (appId) => {
    const app = await ensureUsageKey(required(appId));
    return { appId: app.appId, usagePlan: await usagePlanFor(app) };
  },
  'rotate-key': async (appId) => {
    const apiKey = await rotateAppApiKey(required(appId));
    // A demo app's key lives in demo-app.json: the demo apps, and the next start, read it there.
    const demoApp = options.local && replaceDemoAppKey(localDirectory(), required(appId), apiKey);
    return {
      appId,
      apiKey,
      note: demoApp
        ? 'The previous key no longer works. demo-app.json holds the new one (restart npm start for the demo app to use it).'
        : 'The previous key no longer works. This key is shown only now.',
    };
  },
};

/** Commands that change apps: with --local, the running stack's saved apps are rewritten after them. */
const CHANGES_APPS = new Set(['create', 'update', 'disable', 'enable', 'rotate-key', 'attach-plan']);

const required = (appId: string | undefined): string => {
  if (!appId) throw new UsageError('this command needs an APP_ID');
  return appId;
};

const [command, appId] = positionals;
const run = command ? commands[command] : undefined;
try {
  if (!run) throw new UsageError(command ? `unknown command "${command}"` : 'no command');
  if (options.local) useLocalStack();
  const result = await run(appId);
  if (options.local && CHANGES_APPS.has(command ?? '')) {
    await saveTableApps(savedAppsFileIn(localDirectory()));
  }
  console.log(JSON.stringify(result, null, 2));
} catch (error) {
  const reason =
    error instanceof z.core.$ZodError
      ? `invalid settings:\n${z.prettifyError(error)}`
      : error instanceof Error
        ? error.message
        : String(error);
  console.error(error instanceof UsageError ? `${reason}\n${USAGE}` : `apps ${command}: ${reason}`);
  process.exit(error instanceof UsageError ? 2 : 1);
}
