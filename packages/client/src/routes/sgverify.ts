import { type BackoffOptions, delays, sleep } from '../backoff.ts';
import { SecpassApiError, SecpassWaitTimeoutError } from '../errors.ts';
import type { Call } from '../http.ts';
import { apiErrorOf, jsonOf, unexpectedStatus } from '../http.ts';
import type { SgVerifyPerson } from '../payloads.ts';
import type { OpenedDataToken, TokenChecks } from '../tokens.ts';

export interface QrRequest {
  /** `dynamic`: one visitor, a nonce, ≤ 10 min (default 5). `static`: a printed code, ≤ 1 year (default 1 day). */
  qrType: 'static' | 'dynamic';
  /** `[A-Za-z0-9_.-]{1,64}`. */
  kioskId?: string;
  /** At least 30. */
  validForSeconds?: number;
}

export interface SgVerifyQr {
  /** The signed SG-Verify URL the QR code holds. */
  url: string;
  /** What `result()` and `waitForResult()` take. */
  state: string;
  /** ISO 8601. */
  expiresAt: string;
  /** The QR code as an SVG document, ready to put in a page. */
  qrSvg: string;
}

export type SgVerifyResult =
  | { status: 'pending' }
  | { status: 'ready'; token: OpenedDataToken<SgVerifyPerson> };

export interface WaitOptions extends BackoffOptions {
  /** Give up after this long (default 5 minutes, a dynamic code's default life). */
  timeoutMs?: number;
  /** Stop waiting (the kiosk's page closed, say): the wait rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface SgVerifyRoutes {
  /** `POST /sgverify/qr`. */
  createQr(request: QrRequest): Promise<SgVerifyQr>;
  /** `GET /sgverify/result`: the oldest waiting visitor, handed out once, or `pending`. */
  result(state: string, options?: { signal?: AbortSignal }): Promise<SgVerifyResult>;
  /**
   * Polls `result()` until a visitor arrives, waiting longer between calls as time goes by and
   * as long as Secpass's `Retry-After` asks when throttled. Rejects with `SecpassApiError`
   * (e.g. `state_expired`), `SecpassWaitTimeoutError`, or the signal's reason.
   */
  waitForResult(state: string, options?: WaitOptions): Promise<OpenedDataToken<SgVerifyPerson>>;
}

const DEFAULT_WAIT_MS = 5 * 60 * 1000;

const isThrottled = (error: unknown): error is SecpassApiError =>
  error instanceof SecpassApiError && error.status === 429;

export const sgverifyRoutes = (call: Call, tokens: TokenChecks): SgVerifyRoutes => {
  const result: SgVerifyRoutes['result'] = async (state, options = {}) => {
    const answer = await call({
      method: 'GET',
      path: '/sgverify/result',
      query: { state },
      signal: options.signal,
    });
    if (answer.status === 202) {
      await answer.body?.cancel();
      return { status: 'pending' };
    }
    if (answer.status === 200) {
      return {
        status: 'ready',
        token: await tokens.openDataToken<SgVerifyPerson>((await answer.text()).trim()),
      };
    }
    throw answer.status >= 400 ? await apiErrorOf(answer) : unexpectedStatus(answer, '200 or 202');
  };

  return {
    createQr: async (request) =>
      jsonOf<SgVerifyQr>(await call({ method: 'POST', path: '/sgverify/qr', json: request })),
    result,
    waitForResult: async (state, options = {}) => {
      const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_WAIT_MS);
      const waits = delays(options);
      for (;;) {
        options.signal?.throwIfAborted();
        let wait = waits.next().value;
        try {
          const answer = await result(state, { signal: options.signal });
          if (answer.status === 'ready') return answer.token;
        } catch (error) {
          if (!isThrottled(error)) throw error;
          wait = Math.max(wait, (error.retryAfter ?? 0) * 1000);
        }
        const left = deadline - Date.now();
        if (left <= 0) throw new SecpassWaitTimeoutError('no visitor scanned the code in time');
        await sleep(Math.min(wait, left), options.signal);
      }
    },
  };
};
