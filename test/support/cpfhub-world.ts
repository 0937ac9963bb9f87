import { createHash, randomBytes } from 'node:crypto';
import { compactDecrypt, compactVerify, importJWK, type JWK } from 'jose';
import { newAppKeyPair, newSigningJwk } from '../../local/dev-keys.ts';
import { AppRecord, type CpfhubSettings } from '../../shared/apps/app-record.ts';
import type { Caller } from '../../shared/apps/caller.ts';
import { flowContext } from '../../shared/core/flow-context.ts';
import type { Fetch } from '../../shared/core/ports.ts';
import { stateSealing } from '../../shared/core/state-sealing.ts';
import { type CpfhubConfig, cpfhubProvider } from '../../shared/providers/cpfhub/cpfhub.ts';
import { stateKeysFrom } from '../../shared/secrets/state-keys.ts';
import { FAKE_CPFHUB, type FakeCpfhubOptions, fakeCpfhub } from './fake-cpfhub.ts';
import { manualMillisClock, memoryCpfhubPorts } from './memory-cpfhub.ts';
import { memoryAppDirectory, memoryPorts, memorySecrets, memoryStateStore } from './memory-ports.ts';

/**
 * The CPFHub provider composed as a function composes it, on memory ports and a fake CPFHub: one
 * clock for everything (moved by hand), secrets in memory, states sealed at rest as in the table.
 */

export const SECRET_IDS = { signing: 'test/signing', stateKeys: 'test/state-keys', cpfhub: 'test/cpfhub' };
export const ISSUER = 'https://secpass.test';
export const ALL_SCOPES = ['cpf_contribution:read', 'cpf_contribution:write', 'cpf_statement:read'] as const;

export const aesKey = (kid: string) => ({ kid, key: randomBytes(32).toString('base64') });

export const cpfhubSecret = (tokenKeys = [aesKey('tokens-1')]) => ({
  apiKey: FAKE_CPFHUB.apiKey,
  clientSecret: FAKE_CPFHUB.clientSecret,
  tokenKeys,
});

export interface TestApp {
  record: AppRecord;
  caller: Caller;
  privateJwk: JWK;
}

export const testConfig = (overrides: Partial<CpfhubConfig> = {}): CpfhubConfig => ({
  apiBaseUrl: `${FAKE_CPFHUB.apiBaseUrl}/`,
  oauthBaseUrl: FAKE_CPFHUB.oauthBaseUrl,
  clientId: { value: FAKE_CPFHUB.clientId, setting: 'CPFHUB_CLIENT_ID' },
  secretId: SECRET_IDS.cpfhub,
  issuer: ISSUER,
  upstreamTimeoutMs: 200,
  ...overrides,
});

export const cpfhubWorld = async (
  options: FakeCpfhubOptions & {
    config?: Partial<CpfhubConfig>;
    stateTtlSeconds?: number;
    /** Another CPFHub than the fake (the simulator over loopback); config then says where it is. */
    fetch?: Fetch;
  } = {},
) => {
  const clock = manualMillisClock();
  const cpfhub = fakeCpfhub(options);
  const signingJwk = await newSigningJwk();
  const secrets = memorySecrets({
    [SECRET_IDS.signing]: { keys: [signingJwk] },
    [SECRET_IDS.stateKeys]: { keys: [aesKey('state-1')] },
    [SECRET_IDS.cpfhub]: cpfhubSecret(),
  });
  const states = memoryStateStore(clock, stateSealing(stateKeysFrom(secrets, () => SECRET_IDS.stateKeys)));
  const apps = memoryAppDirectory();
  const config = testConfig(options.config);
  const ports = memoryPorts({ clock, fetch: options.fetch ?? cpfhub.fetch, secrets, apps, states });
  const context = flowContext(ports, {
    token: { issuer: ISSUER, ttlSeconds: 300, signingSecretId: () => SECRET_IDS.signing },
    stateTtlSeconds: options.stateTtlSeconds ?? 600,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
  });
  const cpfhubPorts = memoryCpfhubPorts(clock);
  const provider = cpfhubProvider(config, context, cpfhubPorts);

  let appCount = 0;
  /** An active app with these CPFHub settings (or none), its key and the caller it makes. */
  const newApp = async (settings: CpfhubSettings | undefined): Promise<TestApp> => {
    const { publicJwk, privateJwk } = await newAppKeyPair();
    const apiKey = randomBytes(16).toString('hex');
    const record = AppRecord.parse({
      appId: `app_${++appCount}`,
      name: `App ${appCount}`,
      status: 'active',
      apiKeyHash: createHash('sha256').update(apiKey).digest('hex'),
      publicJwk,
      providers: settings ? { cpfhub: settings } : {},
      createdAt: new Date(0).toISOString(),
    });
    apps.put(record);
    return { record, caller: { appId: record.appId, keyHash: record.apiKeyHash }, privateJwk };
  };

  /** What the app reads from the sealed token `finish` answered. */
  const openToken = async (token: string, app: TestApp) => {
    const { plaintext } = await compactDecrypt(token, await importJWK(app.privateJwk, 'ECDH-ES'));
    const { d: _private, ...publicJwk } = signingJwk;
    const { payload, protectedHeader } = await compactVerify(
      new TextDecoder().decode(plaintext),
      await importJWK(publicJwk, 'ES256'),
    );
    return {
      header: protectedHeader,
      claims: JSON.parse(new TextDecoder().decode(payload)) as {
        iss: string;
        aud: string;
        iat: number;
        grant_id: string;
        scope: string;
      },
    };
  };

  /** init → the user consents at CPFHub → token: the grant id the app now holds. */
  const newGrant = async (app: TestApp, scope = 'cpf_contribution:read cpf_statement:read') => {
    const { code, state } = cpfhub.consent(await provider.start(app.record, scope));
    const { claims } = await openToken(await provider.finish(app.caller, code, state), app);
    return claims.grant_id;
  };

  return {
    clock,
    cpfhub,
    secrets,
    states,
    apps,
    grants: cpfhubPorts.grants,
    config,
    provider,
    newApp,
    openToken,
    newGrant,
  };
};

export type CpfhubWorld = Awaited<ReturnType<typeof cpfhubWorld>>;
