import { FixedWindow, type RateLimit } from './rate-limit.ts';

/**
 * What tests turn to see how callers cope with a misbehaving CPFHub: a rate limit, a slow answer,
 * a failure with a body that must not leak, and the counters that show what was called.
 */
export interface ApiFault {
  status: number;
  body: string;
}

export interface CpfhubStats {
  apiCalls: number;
  codeGrants: number;
  refreshGrants: number;
  revocations: number;
}

export class SimulatorControls {
  readonly stats: CpfhubStats = { apiCalls: 0, codeGrants: 0, refreshGrants: 0, revocations: 0 };
  #window: FixedWindow | undefined;
  #delayMs = 0;
  #fault: ApiFault | undefined;

  constructor(rateLimit: RateLimit | undefined) {
    this.setRateLimit(rateLimit);
  }

  /** A new limit starts with a fresh window. */
  setRateLimit(limit: RateLimit | undefined): void {
    this.#window = limit ? new FixedWindow({ ...limit }) : undefined;
  }

  setResponseDelay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('response delay must be 0 or more milliseconds');
    this.#delayMs = ms;
  }

  setFault(fault: ApiFault | undefined): void {
    if (fault && (!Number.isInteger(fault.status) || fault.status < 200 || fault.status > 599)) {
      throw new RangeError('fault status must be an HTTP status from 200 to 599');
    }
    this.#fault = fault ? { ...fault } : undefined;
  }

  get window(): FixedWindow | undefined {
    return this.#window;
  }

  get delayMs(): number {
    return this.#delayMs;
  }

  get fault(): ApiFault | undefined {
    return this.#fault;
  }
}
