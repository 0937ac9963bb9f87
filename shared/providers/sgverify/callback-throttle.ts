import { tooManyCallbacks } from './callback-errors.ts';
import type { CallbackAttempt, CallbackThrottle } from './ports.ts';

/**
 * How often one QR code's public callback may make Secpass call SG-Verify and fail. The state is
 * printed on the code (a static one for up to a year), so anyone who has seen it can send made-up
 * codes; without a limit each one is a signed request to SG-Verify on our credentials.
 *
 * Each state has a fixed window that opens at its first attempt. An attempt is counted when it is
 * taken, before SG-Verify is called, and given back only when the callback succeeds: a burst of
 * concurrent made-up codes is counted as it arrives instead of slipping past a limit that would
 * only see failures after they land.
 *
 * A success gives back its own attempt and nothing more: resetting the count would let one real
 * scan (or a replayed real code) open the door to another round of made-up ones. So while a window
 * is full, real visitors of that code are refused too, but never beyond the window's end; the
 * Retry-After says when. Someone who keeps a static code full this way costs SG-Verify at most
 * FAILED_CALLBACK_LIMIT calls per window, and the kiosk can show a fresh code.
 */
export const FAILED_CALLBACK_LIMIT = 5;
export const FAILURE_WINDOW_SECONDS = 600;

/**
 * Counts this callback as a failure until it succeeds, or throws TooManyAttempts, with the seconds
 * left in the window, when the state has had FAILED_CALLBACK_LIMIT of them already.
 */
export const takeCallbackAttempt = async (
  throttle: CallbackThrottle,
  state: string,
): Promise<CallbackAttempt> => {
  const count = await throttle.take(state, {
    limit: FAILED_CALLBACK_LIMIT,
    windowSeconds: FAILURE_WINDOW_SECONDS,
  });
  if ('refusedForSeconds' in count) throw tooManyCallbacks(count.refusedForSeconds);
  return count.counted;
};
