import { hostileText, NASTY_TEXT, opaqueLike, PROTOTYPE_NAMES } from './nasty.ts';
import type { Random } from './random.ts';

/**
 * Request bodies: the route's own (from its saved event) or the route's own bent, and bodies no
 * JSON reader should have to survive but must: deep, huge, binary, prototype-keyed.
 */

/** Bounded: a case's body stays a little above the emulator's 1 MB limit, and rarely that large. */
const MAX_HUGE_BYTES = 1_100_000;

const asJsonText = (value: unknown): string => JSON.stringify(value) ?? 'null';

/** A value of any JSON type, hostile where it can be. */
const hostileValue = (random: Random, depth = 0): unknown =>
  random.weighted<() => unknown>([
    [5, () => hostileText(random)],
    [2, () => random.pick([0, -1, 1e308, -0, 2 ** 53 + 1, 0.1, 30, 29, 86_400])],
    [1, () => random.pick([null, true, false])],
    [depth < 3 ? 1 : 0, () => [hostileValue(random, depth + 1), hostileValue(random, depth + 1)]],
    [depth < 3 ? 1 : 0, () => ({ [random.pick(PROTOTYPE_NAMES)]: hostileValue(random, depth + 1) })],
  ])();

/** The saved event's body with its fields' values replaced, dropped or joined by others. */
const bentTemplate = (random: Random, template: Record<string, unknown>): string => {
  const bent: Record<string, unknown> = { ...template };
  for (const field of Object.keys(bent)) {
    const roll = random.next();
    if (roll < 0.3) bent[field] = hostileValue(random);
    else if (roll < 0.4) delete bent[field];
    else if (roll < 0.6 && typeof bent[field] === 'string') bent[field] = opaqueLike(random);
  }
  if (random.chance(0.3)) bent[hostileText(random).slice(0, 40)] = hostileValue(random);
  return asJsonText(bent);
};

/** `__proto__` as JSON text keeps it an own key (an object literal would set the prototype instead). */
const prototypeKeyed = (random: Random, template: Record<string, unknown>): string => {
  const inner = asJsonText({ ...template, polluted: 'yes', isAdmin: true });
  const key = random.pick(PROTOTYPE_NAMES);
  const outer = asJsonText(template).slice(1, -1);
  const wrapped =
    key === 'constructor' ? `{"prototype":${inner}}` : random.chance(0.5) ? inner : `[${inner}]`;
  return `{${outer}${outer ? ',' : ''}"${key}":${wrapped}}`;
};

const deeplyNested = (random: Random): string => {
  const depth = random.pick([100, 1_000, 10_000, 100_000]);
  return random.chance(0.5)
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}null${'}'.repeat(depth)}`;
};

const huge = (random: Random, template: Record<string, unknown>): string => {
  const size = random.pick([70_000, 300_000, 1_000_000, MAX_HUGE_BYTES]);
  return random.chance(0.5)
    ? asJsonText({ ...template, padding: 'x'.repeat(size) })
    : `[${'0,'.repeat(Math.floor(size / 2) - 1)}0]`;
};

/** A template field bent with NUL, lone surrogates and other text that survives JSON but not much else. */
const unicodeJson = (random: Random, template: Record<string, unknown>): string => {
  const [field] = Object.keys(template);
  const text = `${String(field ? template[field] : '')}${random.pick(NASTY_TEXT)}`;
  return asJsonText({ ...template, [field ?? 'value']: text }).replace('\\u0000', '\\u0000\\ud800');
};

const notQuiteJson = (random: Random, template: Record<string, unknown>): string => {
  const text = asJsonText(template);
  return random.pick([
    text.slice(0, Math.max(1, Math.floor(text.length / 2))),
    `${text},`,
    `${text}${text}`,
    text.replace(/"/g, "'"),
    `\ufeff${text}`,
    text.replace(/:/, ':\u0000'),
    'null',
    '[]',
    '""',
    '1',
    'true',
    '{}',
    ' ',
    'purpose=login',
    `{"purpose":"login","purpose":"${opaqueLike(random)}"}`,
  ]);
};

/** A body for a case, or none; `template` is the route's saved body (`{}` when it has none). */
export const bodyFor = (random: Random, method: string, template: Record<string, unknown>): Buffer | null => {
  const carries = !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method);
  if (random.chance(carries ? 0.08 : 0.85)) return null;
  const text = random.weighted<() => string | Buffer>([
    [10, () => asJsonText(template)],
    [10, () => bentTemplate(random, template)],
    [4, () => prototypeKeyed(random, template)],
    [2, () => deeplyNested(random)],
    [1, () => huge(random, template)],
    [3, () => random.bytes(random.between(1, 4_096))],
    [3, () => unicodeJson(random, template)],
    [4, () => notQuiteJson(random, template)],
  ])();
  return typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
};
