/**
 * A fixed window over every API call: the first call after a window has ended opens the next
 * one, and calls beyond the limit within it are refused until it ends.
 */
export interface RateLimit {
  requests: number;
  windowSeconds: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class FixedWindow {
  #windowEndsAt = 0;
  #count = 0;

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(limit.requests) || limit.requests < 0) {
      throw new RangeError('rate limit requests must be a whole number, 0 or more');
    }
    if (!(limit.windowSeconds > 0)) throw new RangeError('rate limit windowSeconds must be positive');
  }

  take(): RateDecision {
    const at = this.now();
    if (at >= this.#windowEndsAt) {
      this.#windowEndsAt = at + this.limit.windowSeconds * 1000;
      this.#count = 0;
    }
    if (this.#count >= this.limit.requests) {
      // Whole seconds, rounded up, and never 0: "retry now" would only be refused again.
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((this.#windowEndsAt - at) / 1000)) };
    }
    this.#count++;
    return { allowed: true };
  }
}
