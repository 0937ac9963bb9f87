import type { StateOf } from '../../core/auth-state.ts';

/**
 * What SG-Verify keeps besides the states every flow saves: a QR code's state as its public
 * callback reads and claims it, the sealed results waiting for their kiosk, and each QR's count of
 * failed callbacks. `shared/adapters/dynamodb/sgverify-*.ts` keeps them in the single table, the
 * unit tests in memory, under the same rules.
 */

/** One QR code: saved through the `StateStore` like any state, but read and claimed, never consumed. */
export type QrState = StateOf<'sgverify'>;

export interface QrStates {
  /** The QR code's state if it exists and is SG-Verify's, whether or not it has expired. */
  find(state: string): Promise<QrState | undefined>;
  /**
   * Marks a dynamic QR code scanned, atomically: of any number of concurrent calls exactly one
   * gets true, and only while the code exists, has not been scanned and has not expired.
   */
  claimDynamic(state: string): Promise<boolean>;
}

export interface PendingResults {
  /** Leaves one sealed result for the QR's kiosk, after those already waiting, until `expiresAt` (epoch seconds). */
  store(state: string, sealedToken: string, expiresAt: number): Promise<void>;
  /**
   * The oldest unexpired result, removed in the same step: each result goes to exactly one caller,
   * however many ask at once.
   */
  takeOldest(state: string): Promise<string | undefined>;
}

/** How many counted attempts one QR code's window holds, and how long a window lasts. */
export interface ThrottleLimits {
  limit: number;
  windowSeconds: number;
}

/** A counted attempt: the window it was counted in, so it is given back to that window only. */
export interface CallbackAttempt {
  state: string;
  windowEndsAt: number;
}

export type AttemptCount = { counted: CallbackAttempt } | { refusedForSeconds: number };

export interface CallbackThrottle {
  /**
   * Counts one attempt in the QR's open window, opening a window at the first attempt or once the
   * last one has ended; refused, with the seconds the window has left, when the window already
   * holds `limit` attempts. Of any number of concurrent calls at most `limit` are counted.
   */
  take(state: string, limits: ThrottleLimits): Promise<AttemptCount>;
  /** Gives an attempt back to the window it was counted in, if that window is still the QR's. */
  giveBack(attempt: CallbackAttempt): Promise<void>;
}

export interface SgVerifyStores {
  qrStates: QrStates;
  results: PendingResults;
  throttle: CallbackThrottle;
}
