/**
 * A seeded pseudo-random source (mulberry32): the same seed gives the same requests on any
 * machine, so a failing case is replayed from its seed and index alone. Each case draws from its
 * own stream, derived from the run's seed and the case's index, so running cases concurrently
 * (in whatever order they finish) changes nothing about what each one sends.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, max). */
  below(max: number): number;
  /** An integer in [min, max]. */
  between(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks by weight: `[[3, a], [1, b]]` gives `a` three times as often as `b`. */
  weighted<T>(choices: readonly (readonly [number, T])[]): T;
  /** A copy in random order (Fisher–Yates). */
  shuffled<T>(items: readonly T[]): T[];
  /** `length` characters drawn from `alphabet`. */
  text(length: number, alphabet: string): string;
  bytes(length: number): Buffer;
}

const mulberry32 = (seed: number) => {
  let state = seed >>> 0;
  return (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** splitmix32's finaliser: neighbouring indexes get unrelated streams. */
const mix = (value: number): number => {
  let z = value >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
};

export const caseSeed = (runSeed: number, index: number): number =>
  mix((runSeed >>> 0) ^ mix(Math.imul(index + 1, 0x9e3779b9)));

export const randomFrom = (seed: number): Random => {
  const next = mulberry32(seed);
  const below = (max: number) => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new RangeError('nothing to pick from');
    return items[below(items.length)] as T;
  };
  return {
    next,
    below,
    between: (min, max) => min + below(max - min + 1),
    chance: (probability) => next() < probability,
    pick,
    weighted: <T>(choices: readonly (readonly [number, T])[]): T => {
      const total = choices.reduce((sum, [weight]) => sum + weight, 0);
      let roll = next() * total;
      for (const [weight, choice] of choices) {
        roll -= weight;
        if (roll < 0) return choice;
      }
      return pick(choices)[1];
    },
    shuffled: <T>(items: readonly T[]): T[] => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i -= 1) {
        const j = below(i + 1);
        [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
      }
      return copy;
    },
    text: (length, alphabet) => Array.from({ length }, () => alphabet[below(alphabet.length)]).join(''),
    bytes: (length) => Buffer.from(Array.from({ length }, () => below(256))),
  };
};

/** A seed written as decimal or 0x-hex, as a 32-bit unsigned integer. */
export const parseSeed = (text: string): number | undefined => {
  const value = /^0x[0-9a-f]{1,8}$/i.test(text) ? Number.parseInt(text, 16) : Number(text);
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff ? value : undefined;
};
