import { randomBytes } from 'node:crypto';

/**
 * Random, expiring, single-use handles (authorisation codes, pending consents). A used handle is
 * remembered until it expires so a second use is told apart from a guess; the caller looks up,
 * runs its own checks, then consumes, with no await in between so two uses cannot both win.
 */
export type Lookup<T> = { state: 'valid'; value: T } | { state: 'unknown' | 'used' | 'expired' };

interface Entry<T> {
  value: T;
  expiresAt: number;
  used: boolean;
}

export class SingleUseStore<T> {
  readonly #entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  issue(value: T): string {
    const at = this.now();
    for (const [key, entry] of this.#entries) if (entry.expiresAt < at) this.#entries.delete(key);
    const key = randomBytes(32).toString('base64url');
    this.#entries.set(key, { value, expiresAt: at + this.ttlMs, used: false });
    return key;
  }

  lookup(key: string): Lookup<T> {
    const entry = this.#entries.get(key);
    if (!entry) return { state: 'unknown' };
    if (entry.expiresAt <= this.now()) return { state: 'expired' };
    if (entry.used) return { state: 'used' };
    return { state: 'valid', value: entry.value };
  }

  consume(key: string): void {
    const entry = this.#entries.get(key);
    if (entry) entry.used = true;
  }
}
