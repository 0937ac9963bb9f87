import type { AppRecord, SgVerifySettings } from '../../apps/app-record.ts';
import { type Caller, loadCallerApp } from '../../apps/caller.ts';
import { StateRefused, UpstreamFailed } from '../../core/errors.ts';
import type { FlowContext } from '../../core/flow-context.ts';
import { exchangeCode, fetchData } from '../pki-oauth/upstream.ts';
import { scanCodeRejected } from './callback-errors.ts';
import { takeCallbackAttempt } from './callback-throttle.ts';
import { type SgVerifyConfig, type SgVerifyFlow, settingsOf, sgVerifyFlow, sgVerifyProfile } from './flow.ts';
import type { QrState, SgVerifyStores } from './ports.ts';
import { createQr, type QrRequest } from './qr-code.ts';

export type { SgVerifyConfig } from './flow.ts';
export { QrBody, type QrCode, type QrRequest } from './qr-code.ts';

/** A sealed result waits at most five minutes for its kiosk. */
const RESULT_TTL_SECONDS = 300;

const isLive = (flow: SgVerifyFlow, qr: QrState): boolean => qr.expiresAt > flow.context.clock.nowSeconds();

const stateUsed = () => new StateRefused('state_used', 'This QR code has already been used.');

/**
 * SG-Verify answers 400 for an authorisation code that is unknown, used, expired or bound to another
 * QR (as Myinfo v3, whose token API it mirrors, documents). Anyone can send such a code, so it is the
 * caller's mistake, not an SG-Verify failure; a 401 or 403 refuses our own signature or secret and
 * stays an upstream failure an operator must see.
 */
const isRejectedCode = (error: unknown): boolean =>
  error instanceof UpstreamFailed && error.failure === 'error_status' && error.upstreamStatus === 400;

/** The scanned person, as SG-Verify sends it for this code: the token call, then the person call. */
const personFor = async (
  flow: SgVerifyFlow,
  code: string,
  qr: QrState,
  settings: SgVerifySettings,
): Promise<Uint8Array> => {
  const { http } = flow.context;
  const profile = sgVerifyProfile(flow.config);
  const credentials = await flow.credentials();
  let token: { accessToken: string; subject: string };
  try {
    token = await exchangeCode(http, profile, credentials, {
      code,
      state: qr.state,
      redirectUri: qr.redirectUri,
    });
  } catch (error) {
    if (isRejectedCode(error)) throw scanCodeRejected();
    throw error;
  }
  return fetchData(http, profile, credentials, {
    subject: token.subject,
    accessToken: token.accessToken,
    attributes: qr.attributes,
    subentity: settings.subentity,
  });
};

/**
 * `GET /sgverify/callback` (SG-Verify calls it after a scan): exchange the code, fetch the person
 * by uuid, seal it for the app that owns the QR and leave it for the kiosk. Nothing is stored
 * unless every step succeeds. The route is public and the state is printed on the QR code, so a
 * call with a made-up code must change nothing but the QR's failure count.
 */
export const receiveCallback = async (flow: SgVerifyFlow, code: string, state: string): Promise<void> => {
  const { context, stores } = flow;
  const qr = await stores.qrStates.find(state);
  if (!qr || !isLive(flow, qr))
    throw new StateRefused('invalid_state', 'This QR code is unknown or has expired.');
  // Refused before SG-Verify is asked: a dynamic code that has delivered its result serves no one else.
  if (qr.qrType === 'dynamic' && qr.scannedAt !== undefined) throw stateUsed();
  const app = await context.apps.get(qr.appId);
  if (app?.status !== 'active')
    throw new StateRefused('invalid_state', 'This QR code is no longer in service.');
  const settings = settingsOf(app);
  // Only for a live QR of an active app: unknown states must not grow the table.
  const attempt = await takeCallbackAttempt(stores.throttle, state);
  const person = await personFor(flow, code, qr, settings);
  // Claimed only once SG-Verify has vouched for the code: a made-up one must not use up the
  // visitor's QR. Of concurrent real callbacks exactly one wins the claim; the others store nothing.
  if (qr.qrType === 'dynamic' && !(await stores.qrStates.claimDynamic(state))) throw stateUsed();
  const sealed = await context.tokens.sealDataToken(person, app);
  await stores.results.store(state, sealed, context.clock.nowSeconds() + RESULT_TTL_SECONDS);
  await stores.throttle.giveBack(attempt);
};

/** `GET /sgverify/result`: the oldest waiting result, handed out once; `undefined` while none has come. */
export const collectResult = async (
  flow: SgVerifyFlow,
  caller: Caller,
  state: string,
): Promise<string | undefined> => {
  const { context, stores } = flow;
  const [app, qr] = await Promise.all([loadCallerApp(context.apps, caller), stores.qrStates.find(state)]);
  if (!qr || qr.appId !== app.appId) throw new StateRefused('invalid_state', 'No such QR code for this app.');
  const result = await stores.results.takeOldest(state);
  if (result === undefined && !isLive(flow, qr)) {
    throw new StateRefused('state_expired', 'This QR code has expired and no result is waiting.');
  }
  return result;
};

/** `POST /sgverify/qr`, `GET /sgverify/callback` and `GET /sgverify/result`. */
export const sgVerifyProvider = (config: SgVerifyConfig, context: FlowContext, stores: SgVerifyStores) => {
  const flow = sgVerifyFlow(config, context, stores);
  return {
    createQr: (app: AppRecord, body: QrRequest) => createQr(flow, app, body),
    receiveCallback: (code: string, state: string) => receiveCallback(flow, code, state),
    collectResult: (caller: Caller, state: string) => collectResult(flow, caller, state),
  };
};

export type SgVerifyProvider = ReturnType<typeof sgVerifyProvider>;
