import type { AuthState } from '../../shared/core/auth-state.ts';
import type { Clock } from '../../shared/core/ports.ts';
import type {
  CallbackThrottle,
  PendingResults,
  QrStates,
  SgVerifyStores,
} from '../../shared/providers/sgverify/ports.ts';

/**
 * SG-Verify's stores in memory, for unit tests, under the DynamoDB adapters' rules: a dynamic QR
 * is claimed once and only while live, each waiting result goes to one taker (oldest first, never
 * once expired), and a QR's window holds at most `limit` attempts however many arrive at once.
 * Every check-and-write below runs without an `await` between check and write, which is what
 * makes it atomic here as the conditional writes make it in the table.
 */

/** Reads the QR states where the memory state store keeps them (`memoryStateStore(clock)`). */
export const memoryQrStates = (
  clock: Clock,
  states: { peek(state: string): AuthState | undefined },
): QrStates => ({
  find: async (state) => {
    const found = states.peek(state);
    return found?.provider === 'sgverify' ? structuredClone(found) : undefined;
  },
  claimDynamic: async (state) => {
    // The stored object itself: marking it scanned is the table's `SET scannedAt`.
    const found = states.peek(state);
    if (found?.provider !== 'sgverify' || found.scannedAt !== undefined) return false;
    const now = clock.nowSeconds();
    if (found.expiresAt <= now) return false;
    found.scannedAt = now;
    return true;
  },
});

export const memoryPendingResults = (clock: Clock): PendingResults & { waiting(state: string): number } => {
  const byState = new Map<string, { token: string; expiresAt: number }[]>();
  return {
    waiting: (state) => byState.get(state)?.length ?? 0,
    store: async (state, sealedToken, expiresAt) => {
      byState.set(state, [...(byState.get(state) ?? []), { token: sealedToken, expiresAt }]);
    },
    takeOldest: async (state) => {
      const now = clock.nowSeconds();
      const queue = byState.get(state) ?? [];
      // Expired results are skipped, not handed out; like the table's TTL, nothing promises they are gone.
      const index = queue.findIndex((result) => result.expiresAt > now);
      if (index < 0) return undefined;
      const [taken] = queue.splice(index, 1);
      return taken?.token;
    },
  };
};

export const memoryCallbackThrottle = (
  clock: Clock,
): CallbackThrottle & { count(state: string): number | undefined } => {
  const windows = new Map<string, { failures: number; windowEndsAt: number }>();
  return {
    count: (state) => windows.get(state)?.failures,
    take: async (state, { limit, windowSeconds }) => {
      const now = clock.nowSeconds();
      const open = windows.get(state);
      if (!open || open.windowEndsAt <= now) {
        const windowEndsAt = now + windowSeconds;
        windows.set(state, { failures: 1, windowEndsAt });
        return { counted: { state, windowEndsAt } };
      }
      if (open.failures >= limit) return { refusedForSeconds: open.windowEndsAt - now };
      open.failures += 1;
      return { counted: { state, windowEndsAt: open.windowEndsAt } };
    },
    giveBack: async (attempt) => {
      const open = windows.get(attempt.state);
      if (open && open.windowEndsAt === attempt.windowEndsAt && open.failures > 0) open.failures -= 1;
    },
  };
};

export type MemorySgVerifyStores = SgVerifyStores & {
  results: ReturnType<typeof memoryPendingResults>;
  throttle: ReturnType<typeof memoryCallbackThrottle>;
};

export const memorySgVerifyStores = (
  clock: Clock,
  states: { peek(state: string): AuthState | undefined },
): MemorySgVerifyStores => ({
  qrStates: memoryQrStates(clock, states),
  results: memoryPendingResults(clock),
  throttle: memoryCallbackThrottle(clock),
});
