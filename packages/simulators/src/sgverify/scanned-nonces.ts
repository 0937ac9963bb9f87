/**
 * The Singpass app's memory of dynamic QR codes already scanned, keyed by partner and nonce. An
 * entry is kept until its code expires, after which the time check refuses the code anyway.
 * Claiming is synchronous, so two scans of one code cannot both win.
 */
export class ScannedNonces {
  readonly #forgetAt = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** True the first time a partner's nonce is claimed, false ever after (until it may be forgotten). */
  claim(clientId: string, nonce: string, codeExpiresAt: number): boolean {
    const at = this.now();
    for (const [key, forgetAt] of this.#forgetAt) if (forgetAt < at) this.#forgetAt.delete(key);
    const key = `${clientId}\n${nonce}`;
    if (this.#forgetAt.has(key)) return false;
    this.#forgetAt.set(key, codeExpiresAt);
    return true;
  }
}
