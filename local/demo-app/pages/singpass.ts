import type { DemoContext } from '../context.ts';
import {
  buttonLink,
  escapeHtml,
  html,
  notice,
  postButton,
  redirect,
  sendPage,
  singaporeTime,
} from '../html.ts';
import { SESSION_MINUTES, Sessions } from '../sessions.ts';
import { appBadge, type Flow, finishCallback, startFlow } from './flow.ts';

/**
 * Log in with Singpass: the login token is verified once, at the callback, and the app then
 * keeps its own session (who, until when). The token and the NRIC never reach the page: Secpass
 * names the person only by their Singpass UUID.
 */
const flowOf = (ctx: DemoContext): Flow => ({
  section: 'Singpass Login',
  names: { app: ctx.app.name, upstream: 'Singpass', shared: 'your Singpass login' },
  landing: `${ctx.base}/singpass`,
});

const loginCard = (ctx: DemoContext) =>
  `<section class="card"><h2>Log in</h2><p>Use the Singpass app or your Singpass password: ${escapeHtml(ctx.app.name)} learns only your Singpass UUID.</p>` +
  `<div class="actions">${buttonLink(`${ctx.base}/singpass/start`, 'Log in with Singpass', 'singpass')}</div></section>`;

export const singpassLanding = (ctx: DemoContext): void => {
  if (ctx.sessions.find(ctx.req)?.logins.get(ctx.n)) {
    redirect(ctx.res, `${ctx.base}/account`);
    return;
  }
  sendPage(ctx.res, 200, {
    title: 'Log in',
    section: 'Singpass Login',
    body: html(`<h1>Welcome to ${escapeHtml(ctx.app.name)}</h1>${loginCard(ctx)}`),
  });
};

export const singpassStart = (ctx: DemoContext) =>
  startFlow(ctx, flowOf(ctx), () => ctx.secpass.singpass.authReqUri());

export const singpassCallback = async (ctx: DemoContext): Promise<void> => {
  await finishCallback(
    ctx,
    flowOf(ctx),
    (code, state) => ctx.secpass.singpass.userInfo(code, state),
    (login) => {
      ctx.sessions.open(ctx.req, ctx.res).logins.set(ctx.n, Sessions.newLogin(login.uuid));
      // Away from the callback at once: a reload of the account page is harmless, one of the
      // callback would replay a used state.
      redirect(ctx.res, `${ctx.base}/account`, 303);
    },
  );
};

export const account = (ctx: DemoContext): void => {
  const session = ctx.sessions.find(ctx.req);
  const login = session?.logins.get(ctx.n);
  if (!login || login.expiresAt.getTime() <= Date.now()) {
    session?.logins.delete(ctx.n);
    sendPage(ctx.res, 401, {
      title: 'Logged out',
      section: 'Singpass Login',
      body: html(
        notice(
          'info',
          login ? 'Your session has ended' : 'You are not logged in',
          login
            ? `Sessions last ${SESSION_MINUTES} minutes. Log in again to continue.`
            : 'Log in with Singpass to see your account.',
        ) + loginCard(ctx),
      ),
    });
    return;
  }
  sendPage(ctx.res, 200, {
    title: 'Your account',
    section: 'Singpass Login',
    body: html(
      `<h1>Your account ${appBadge(ctx)}</h1>` +
        notice(
          'success',
          'You are logged in with Singpass',
          'The login token was verified against Secpass’s keys.',
        ) +
        '<section class="card"><h2>Session</h2><dl class="facts">' +
        `<dt>Singpass user</dt><dd><code data-testid="subject">u=${escapeHtml(login.uuid)}</code></dd>` +
        `<dt>Logged in</dt><dd>${escapeHtml(singaporeTime(login.loggedInAt))}</dd>` +
        `<dt>Session expires</dt><dd data-testid="expires">${escapeHtml(singaporeTime(login.expiresAt))}</dd>` +
        '</dl><div class="actions">' +
        postButton(`${ctx.base}/logout`, 'Log out') +
        '</div></section>',
    ),
  });
};

export const logout = (ctx: DemoContext): void => {
  ctx.sessions.find(ctx.req)?.logins.delete(ctx.n);
  redirect(ctx.res, `${ctx.base}/singpass`, 303);
};
