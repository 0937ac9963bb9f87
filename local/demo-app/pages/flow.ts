import type { DemoContext } from '../context.ts';
import {
  type Explanation,
  explainFailure,
  explainIncompleteCallback,
  explainUpstreamRefusal,
  type FlowNames,
} from '../explain.ts';
import { buttonLink, escapeHtml, html, notice, redirect, sendPage } from '../html.ts';

/**
 * The two ends every consent flow shares: send the browser to the upstream, and on the way
 * back tell a refusal or a broken callback in words before anything is exchanged.
 */
export interface Flow {
  /** Shown in the header and titles: "Myinfo", "Myinfo Business"… */
  section: string;
  names: FlowNames;
  /** Where "Start again" leads. */
  landing: string;
}

export const showExplanation = (ctx: DemoContext, flow: Flow, explanation: Explanation): void =>
  sendPage(ctx.res, explanation.status, {
    title: explanation.title,
    section: flow.section,
    body: html(
      notice(explanation.status === 200 ? 'info' : 'warning', explanation.title, explanation.text) +
        `<p>${explanation.startAgain ? `${buttonLink(flow.landing, 'Start again')} ` : ''}${buttonLink('/', 'Back to the demo', 'plain')}</p>`,
    ),
  });

/** Sends the browser on to the upstream, or explains why Secpass would not start the flow. */
export const startFlow = async (
  ctx: DemoContext,
  flow: Flow,
  upstreamUrl: () => Promise<string>,
): Promise<void> => {
  try {
    redirect(ctx.res, await upstreamUrl());
  } catch (error) {
    showExplanation(ctx, flow, explainFailure(error, flow.names));
  }
};

/**
 * The code and state the upstream sent back, or undefined once the page has explained why
 * there are none (the person declined, or opened the callback by hand).
 */
const callbackParams = (ctx: DemoContext, flow: Flow): { code: string; state: string } | undefined => {
  const error = ctx.query.get('error');
  if (error) {
    showExplanation(ctx, flow, explainUpstreamRefusal(error, flow.names));
    return undefined;
  }
  const code = ctx.query.get('code');
  const state = ctx.query.get('state');
  if (!code || !state) {
    showExplanation(ctx, flow, explainIncompleteCallback(flow.names));
    return undefined;
  }
  return { code, state };
};

/** Runs the exchange; a refusal or a token that fails its checks becomes the explained page. */
export const finishFlow = async <T>(
  ctx: DemoContext,
  flow: Flow,
  exchange: () => Promise<T>,
  show: (result: T) => Promise<void> | void,
): Promise<void> => {
  let result: T;
  try {
    result = await exchange();
  } catch (error) {
    return showExplanation(ctx, flow, explainFailure(error, flow.names));
  }
  await show(result);
};

/** A flow's callback: the code and state sent back (or why there are none), exchanged, then shown. */
export const finishCallback = async <T>(
  ctx: DemoContext,
  flow: Flow,
  exchange: (code: string, state: string) => Promise<T>,
  show: (result: T) => Promise<void> | void,
): Promise<void> => {
  const params = callbackParams(ctx, flow);
  if (!params) return;
  await finishFlow(ctx, flow, () => exchange(params.code, params.state), show);
};

export const appBadge = (ctx: DemoContext) => `<span class="badge">${escapeHtml(ctx.app.name)}</span>`;
