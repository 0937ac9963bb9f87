import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type * as z from 'zod/mini';
import { CpfhubSecret } from './cpfhub-credentials.ts';
import { firstActive, isActive, PrivateEcJwk } from './private-ec-jwk.ts';
import { SigningSecret } from './signing-keys.ts';
import { SingpassSecret } from './singpass-keys.ts';
import { StateKeysSecret } from './state-keys.ts';

/**
 * Key rotation as pure functions from a secret's JSON to the rotated JSON (key generation aside),
 * so the rules are testable at any `now`: a new key goes first, published before it signs when a
 * verifier caches our JWKS; keys it replaces get a `retireAfter` past the last moment anything
 * they signed or sealed can be in use; keys whose `retireAfter` has passed are dropped. The key
 * signing at `now` is never dropped, so a secret is never left unable to sign.
 */

export const KEY_SETS = [
  'secpass-signing',
  'singpass-rp',
  'singpass-fapi',
  'cpfhub-token',
  'state-keys',
] as const;
export type KeySet = (typeof KEY_SETS)[number];
export const isKeySet = (name: string): name is KeySet => (KEY_SETS as readonly string[]).includes(name);

export type RotationErrorCode =
  | 'unreadable_secret'
  | 'invalid_secret'
  | 'no_fapi_registration'
  | 'kid_taken'
  | 'no_active_key'
  | 'invalid_option';

export class RotationError extends Error {
  override readonly name = 'RotationError';
  constructor(
    readonly code: RotationErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** How long others may hold on to what a key made, in seconds: the inputs of every schedule here. */
export const HOLD_SECONDS = {
  /**
   * The longest a Secpass token is checked after signing: a login token lives at most 3600 s (the
   * ceiling of SECPASS_TOKEN_TTL_SECONDS, whatever a deployment sets); data tokens are verified on
   * receipt, after at most 300 s waiting as an SG-Verify pending result.
   */
  secpassToken: 3600,
  /** The max-age of our JWKS responses (functions/jwks/handler.ts). */
  ourJwksCache: 300,
  /** SECRETS_CACHE_SECONDS' default: a warm function keeps signing with what it read this long. */
  secretCache: 300,
  /** How long Singpass may keep our relying-party JWKS (the README's "allow an hour"). */
  issuerJwksCache: 3600,
  /** A CPFHub grant unused for 30 days is dropped (a refresh reseals it with the current key); a day's margin. */
  cpfhubGrant: 31 * 24 * 3600,
  /** A pending flow's state lives at most STATE_TTL_SECONDS' ceiling, 600 s; plus the secret cache. */
  pendingState: 600 + 300,
};

export interface RotationOptions {
  /** Epoch seconds. */
  now: number;
  /** Seconds a new signing key is published before it signs; each key set has its default. */
  publishLead?: number;
}

/** What a key is for: signing, ID-token encryption to us, or sealing users' tokens at rest. */
export type KeyUse = 'sig' | 'enc' | 'seal';

/** One key as reported: names and dates only, never key material. */
export interface KeyReport {
  /** Where in the secret: `keys`, `signingKeys`, `fapi.encryptionKeys`, `tokenKeys`… */
  list: string;
  kid: string;
  use: KeyUse;
  activeFrom?: string;
  retireAfter?: string;
}

export interface Rotation {
  /** The secret to write back, as JSON: holds private keys, never print it. */
  secret: string;
  added: KeyReport[];
  /** Earlier keys kept, each until its `retireAfter`. */
  retiring: KeyReport[];
  /** Keys removed because their `retireAfter` had passed. */
  dropped: KeyReport[];
  notes: string[];
}

export interface KeyListing extends KeyReport {
  /** `active`, `pending until …`, `retiring after …` or `retired since …`. */
  status: string;
  /** Signs (or seals) new things now: the first active key of its list. */
  current: boolean;
}

type Json = Record<string, unknown>;

/** What rotation reads and writes of a key: the rest (x, y, d, key…) rides along untouched. */
interface LifecycleKey {
  kid: string;
  activeFrom?: number;
  retireAfter?: number;
}

interface KeyList {
  path: string[];
  use: KeyUse;
  kidPrefix: string;
  keys: LifecycleKey[];
}

interface KeySetRules {
  /** Validates the whole secret (we never write one the functions would refuse) and finds its key lists. */
  lists(secret: Json): KeyList[];
  /** Undefined when new keys are used at once and no lead applies. */
  defaultPublishLead: number | undefined;
  /** How long a replaced key stays after the new one becomes active. */
  holdAfterLead: number;
  notes(added: KeyReport[], retireAfter: string): string[];
}

const iso = (epochSeconds: number): string => new Date(epochSeconds * 1000).toISOString();
/** `yyyymmddHHMMSS` in UTC: kids that sort by age and say when a key was made. */
const kidStamp = (now: number): string => iso(now).replace(/\D/g, '').slice(0, 14);

const validated = <T>(schema: z.ZodMiniType<T>, secret: Json): T => {
  const result = schema.safeParse(secret);
  if (result.success) return result.data;
  // Paths and zod's messages only: values in a secret are secret.
  const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
  throw new RotationError('invalid_secret', `the secret is not a valid key set: ${problems.join('; ')}`);
};

const readSecret = (secretString: string | undefined): Json => {
  if (!secretString?.trim())
    throw new RotationError('unreadable_secret', 'the secret is empty: fill it first');
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new RotationError('unreadable_secret', 'the secret is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RotationError('unreadable_secret', 'the secret is not a JSON object');
  }
  if (Object.keys(parsed).length === 0)
    throw new RotationError('unreadable_secret', 'the secret is {}: fill it first');
  return parsed as Json;
};

const relyingPartyLists = (
  at: string[],
  prefix: string,
  party: Pick<SingpassSecret, 'signingKeys' | 'encryptionKeys'>,
): KeyList[] => [
  { path: [...at, 'signingKeys'], use: 'sig', kidPrefix: `${prefix}-sig`, keys: party.signingKeys },
  { path: [...at, 'encryptionKeys'], use: 'enc', kidPrefix: `${prefix}-enc`, keys: party.encryptionKeys },
];

const singpassNotes = (added: KeyReport[], retireAfter: string): string[] => {
  const signing = added.find((key) => key.use === 'sig');
  return [
    `Published now: Singpass must refetch /singpass/jwks before ${signing?.activeFrom}, when ${signing?.kid} starts signing client assertions.`,
    'The new encryption key is published and decrypts at once; ID tokens encrypted to any listed key decrypt (by kid).',
    `Previous keys stay until ${retireAfter}; run prune (or the next rotate) after that to remove them.`,
  ];
};

const RULES: Record<KeySet, KeySetRules> = {
  'secpass-signing': {
    lists: (secret) => [
      { path: ['keys'], use: 'sig', kidPrefix: 'secpass', keys: validated(SigningSecret, secret).keys },
    ],
    // Apps cache our JWKS too: jose refetches on an unknown kid only once its copy is 30 s old,
    // other libraries may wait out our max-age. Publishing that long first fails no app.
    defaultPublishLead: HOLD_SECONDS.ourJwksCache,
    holdAfterLead: HOLD_SECONDS.secretCache + HOLD_SECONDS.secpassToken + HOLD_SECONDS.ourJwksCache,
    notes: ([added], retireAfter) => [
      `New tokens carry kid ${added?.kid} from ${added?.activeFrom} (warm functions switch within SECRETS_CACHE_SECONDS).`,
      `Tokens signed before keep verifying: previous keys stay published until ${retireAfter}; run prune (or the next rotate) after that to remove them.`,
    ],
  },
  'singpass-rp': {
    lists: (secret) => relyingPartyLists([], 'singpass', validated(SingpassSecret, secret)),
    defaultPublishLead: HOLD_SECONDS.issuerJwksCache,
    holdAfterLead: HOLD_SECONDS.issuerJwksCache,
    notes: singpassNotes,
  },
  'singpass-fapi': {
    lists: (secret) => {
      const { fapi } = validated(SingpassSecret, secret);
      if (!fapi)
        throw new RotationError('no_fapi_registration', 'the Singpass secret has no "fapi" registration');
      return relyingPartyLists(['fapi'], 'fapi', fapi);
    },
    defaultPublishLead: HOLD_SECONDS.issuerJwksCache,
    holdAfterLead: HOLD_SECONDS.issuerJwksCache,
    notes: singpassNotes,
  },
  'cpfhub-token': {
    lists: (secret) => [
      {
        path: ['tokenKeys'],
        use: 'seal',
        kidPrefix: 'tokens',
        keys: validated(CpfhubSecret, secret).tokenKeys,
      },
    ],
    defaultPublishLead: undefined,
    holdAfterLead: HOLD_SECONDS.cpfhubGrant,
    notes: ([added], retireAfter) => [
      `New CPFHub grants are sealed with ${added?.kid} at once (refreshed grants are resealed with it).`,
      `Users' grants can live 30 days unrefreshed: previous keys keep opening them until ${retireAfter}; run prune (or the next rotate) after that to remove them.`,
    ],
  },
  'state-keys': {
    lists: (secret) => [
      { path: ['keys'], use: 'seal', kidPrefix: 'states', keys: validated(StateKeysSecret, secret).keys },
    ],
    defaultPublishLead: undefined,
    holdAfterLead: HOLD_SECONDS.pendingState,
    notes: ([added], retireAfter) => [
      `Pending flows are sealed with ${added?.kid} at once (warm functions switch within SECRETS_CACHE_SECONDS).`,
      `Flows started before keep opening with the previous keys until ${retireAfter}; run prune (or the next rotate) after that to remove them.`,
    ],
  },
};

const publishLeadFor = (keySet: KeySet, publishLead: number | undefined): number => {
  const { defaultPublishLead } = RULES[keySet];
  if (publishLead === undefined) return defaultPublishLead ?? 0;
  if (defaultPublishLead === undefined) {
    throw new RotationError(
      'invalid_option',
      `${keySet} keys are used at once: a publish lead does not apply`,
    );
  }
  if (!Number.isSafeInteger(publishLead) || publishLead < 0) {
    throw new RotationError(
      'invalid_option',
      'the publish lead must be a whole number of seconds, 0 or more',
    );
  }
  return publishLead;
};

const newKey = async (
  { use, kidPrefix }: KeyList,
  now: number,
  activeFrom: number,
): Promise<LifecycleKey> => {
  const kid = `${kidPrefix}-${kidStamp(now)}`;
  if (use === 'seal') {
    const sealingKey: LifecycleKey & { key: string } = { kid, key: randomBytes(32).toString('base64') };
    return sealingKey;
  }
  const { privateKey } = await generateKeyPair(use === 'sig' ? 'ES256' : 'ECDH-ES+A256KW', {
    crv: 'P-256',
    extractable: true,
  });
  // Only a signing key waits: we decrypt by the JWE's kid, so a new encryption key works at once.
  return PrivateEcJwk.parse({
    ...(await exportJWK(privateKey)),
    kid,
    ...(use === 'sig' ? { activeFrom } : {}),
  });
};

/** Drops keys whose `retireAfter` has passed, except the one in use now. */
const pruneList = (keys: LifecycleKey[], path: string[], now: number) => {
  const inUse = firstActive(keys, now);
  if (!inUse) {
    throw new RotationError(
      'no_active_key',
      `no key in ${path.join('.')} is active now: refusing to write that`,
    );
  }
  const passed = (key: LifecycleKey) =>
    key !== inUse && key.retireAfter !== undefined && key.retireAfter <= now;
  return { keys: keys.filter((key) => !passed(key)), dropped: keys.filter(passed) };
};

/**
 * The new key first. A key in use now or still pending may sign until the new key is active, so
 * it retires `retireAfter`; one already replaced keeps its own, earlier date.
 */
const rotateList = (list: KeyList, added: LifecycleKey, retireAfter: number, now: number) => {
  if (list.keys.some((key) => key.kid === added.kid)) {
    throw new RotationError('kid_taken', `${added.kid} exists already: rotate again in a second`);
  }
  const inUse = firstActive(list.keys, now);
  const scheduled = list.keys.map((key) => ({
    ...key,
    retireAfter:
      key === inUse || !isActive(key, now)
        ? retireAfter
        : Math.min(key.retireAfter ?? retireAfter, retireAfter),
  }));
  return pruneList([added, ...scheduled], list.path, now);
};

const setAt = (json: Json, [head, ...rest]: string[], value: unknown): Json => {
  if (head === undefined) return json;
  const inner = json[head];
  const child = typeof inner === 'object' && inner !== null ? (inner as Json) : {};
  return { ...json, [head]: rest.length === 0 ? value : setAt(child, rest, value) };
};

const report = (list: KeyList, { kid, activeFrom, retireAfter }: LifecycleKey): KeyReport => ({
  list: list.path.join('.'),
  kid,
  use: list.use,
  ...(activeFrom === undefined ? {} : { activeFrom: iso(activeFrom) }),
  ...(retireAfter === undefined ? {} : { retireAfter: iso(retireAfter) }),
});

/** Adds a new current key to each list of the key set, schedules the old ones, drops passed ones. */
export const rotateKeySet = async (
  keySet: KeySet,
  secretString: string | undefined,
  { now, publishLead }: RotationOptions,
): Promise<Rotation> => {
  const rules = RULES[keySet];
  const lead = publishLeadFor(keySet, publishLead);
  const retireAfter = now + lead + rules.holdAfterLead;
  let secret = readSecret(secretString);
  const rotation: Omit<Rotation, 'secret' | 'notes'> = { added: [], retiring: [], dropped: [] };
  for (const list of rules.lists(secret)) {
    const added = await newKey(list, now, now + lead);
    const { keys, dropped } = rotateList(list, added, retireAfter, now);
    secret = setAt(secret, list.path, keys);
    rotation.added.push(report(list, added));
    rotation.retiring.push(...keys.slice(1).map((key) => report(list, key)));
    rotation.dropped.push(...dropped.map((key) => report(list, key)));
  }
  rules.lists(secret); // what we write must load
  return {
    secret: JSON.stringify(secret),
    ...rotation,
    notes: rules.notes(rotation.added, iso(retireAfter)),
  };
};

/** Only drops keys whose `retireAfter` has passed (never the one in use): the end of a rotation. */
export const pruneKeySet = (keySet: KeySet, secretString: string | undefined, now: number): Rotation => {
  const rules = RULES[keySet];
  let secret = readSecret(secretString);
  const dropped: KeyReport[] = [];
  for (const list of rules.lists(secret)) {
    const outcome = pruneList(list.keys, list.path, now);
    secret = setAt(secret, list.path, outcome.keys);
    dropped.push(...outcome.dropped.map((key) => report(list, key)));
  }
  rules.lists(secret);
  return {
    secret: JSON.stringify(secret),
    added: [],
    retiring: [],
    dropped,
    notes: dropped.length ? [] : ['Nothing had passed its retireAfter: the secret is unchanged.'],
  };
};

const statusOf = ({ activeFrom, retireAfter }: LifecycleKey, now: number): string => {
  if (activeFrom !== undefined && activeFrom > now) return `pending until ${iso(activeFrom)}`;
  if (retireAfter === undefined) return 'active';
  return retireAfter > now ? `retiring after ${iso(retireAfter)}` : `retired since ${iso(retireAfter)}`;
};

/** Every key of the key set with its status: kids and dates, never key material. */
export const describeKeySet = (keySet: KeySet, secretString: string | undefined, now: number): KeyListing[] =>
  RULES[keySet].lists(readSecret(secretString)).flatMap((list) => {
    const inUse = firstActive(list.keys, now);
    return list.keys.map((key) => ({
      ...report(list, key),
      status: statusOf(key, now),
      current: key === inUse,
    }));
  });
