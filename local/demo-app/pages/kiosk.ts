import { SecpassApiError, SecpassWaitTimeoutError } from '../../../packages/client/src/index.ts';
import type { DemoContext } from '../context.ts';
import { escapeHtml, html, sendJson, sendPage } from '../html.ts';
import { maskUinfin } from '../mask.ts';

/**
 * An SG-Verify check-in kiosk: a full-screen QR code (one dynamic code per visitor), a greeting
 * when the visitor's data arrives, then the next code. The page's script asks this server for a
 * code, then waits on it: the server long-polls Secpass with `sgverify.waitForResult` and answers
 * only the name and a masked NRIC.
 */
const LONG_POLL_MS = 20_000;
const DEFAULT_GREETING_MS = 6_000;

const greetingMsOf = (query: URLSearchParams) => {
  const asked = Number(query.get('greetingMs'));
  return Number.isInteger(asked) && asked >= 500 && asked <= 60_000 ? asked : DEFAULT_GREETING_MS;
};

export const kioskPage = (ctx: DemoContext): void =>
  sendPage(ctx.res, 200, {
    title: 'Check in',
    fullScreen: true,
    body: html(
      `<div class="kiosk-screen" data-kiosk="${escapeHtml(`${ctx.base}/kiosk`)}" data-greeting-ms="${greetingMsOf(ctx.query)}">` +
        `<h1 id="headline">Welcome to ${escapeHtml(ctx.app.name)}</h1>` +
        '<p class="sub" id="instruction">Scan with the Singpass app to check in</p>' +
        '<div class="qr" id="qr" role="img" aria-label="SG-Verify QR code"></div>' +
        '<div class="greeting" id="greeting" hidden></div>' +
        '<p class="status" id="status" role="status">Preparing a code…</p>' +
        '</div><script src="/kiosk.js"></script>',
    ),
  });

/** POST: a fresh dynamic code for the next visitor. */
export const kioskCode = async (ctx: DemoContext): Promise<void> => {
  try {
    const qr = await ctx.secpass.sgverify.createQr({ qrType: 'dynamic', kioskId: `demo-${ctx.n}` });
    sendJson(ctx.res, 200, { qrSvg: qr.qrSvg, url: qr.url, state: qr.state, expiresAt: qr.expiresAt });
  } catch (error) {
    sendJson(ctx.res, 503, {
      message:
        error instanceof SecpassApiError
          ? `Secpass refused a code (${error.code}).`
          : 'No code could be made.',
    });
  }
};

/** GET ?state=: waits up to LONG_POLL_MS for the visitor of that code; the browser asks again. */
export const kioskVisitor = async (ctx: DemoContext): Promise<void> => {
  const state = ctx.query.get('state') ?? '';
  // The kiosk's page closing (or reloading) ends the wait, so no poll outlives its browser.
  const gone = new AbortController();
  ctx.res.on('close', () => {
    if (!ctx.res.writableFinished) gone.abort(new Error('the kiosk went away'));
  });
  try {
    const { payload } = await ctx.secpass.sgverify.waitForResult(state, {
      timeoutMs: LONG_POLL_MS,
      signal: gone.signal,
      initialDelayMs: 300,
      maxDelayMs: 2_000,
    });
    const partial =
      payload.partialuinfin?.value ?? (payload.uinfin?.value ? maskUinfin(String(payload.uinfin.value)) : '');
    sendJson(ctx.res, 200, {
      status: 'arrived',
      name: payload.name?.value ?? 'visitor',
      partialUinfin: String(partial),
    });
  } catch (error) {
    if (gone.signal.aborted) return;
    if (error instanceof SecpassWaitTimeoutError) return sendJson(ctx.res, 200, { status: 'waiting' });
    if (
      error instanceof SecpassApiError &&
      (error.code === 'state_expired' || error.code === 'invalid_state')
    ) {
      return sendJson(ctx.res, 200, { status: 'expired' });
    }
    sendJson(ctx.res, 200, { status: 'error' });
  }
};
