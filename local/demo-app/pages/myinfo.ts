import { isMyinfoV5, type MyinfoPayload, myinfoPersonOf } from '../../../packages/client/src/index.ts';
import type { DemoContext } from '../context.ts';
import { buttonLink, escapeHtml, html, notice, sendPage } from '../html.ts';
import { type FormField, formFields } from '../myinfo-format.ts';
import { appBadge, type Flow, finishCallback, startFlow } from './flow.ts';

/**
 * A sign-up form filled from Myinfo, the way Myinfo asks apps to: government-verified fields
 * locked, the NRIC masked. Legacy apps get Myinfo v3's person; the FAPI 2.0 app gets Myinfo v5's
 * userinfo with the person under `person_info`: the form reads either.
 */
const flowOf = (ctx: DemoContext): Flow => ({
  section: 'Myinfo',
  names: { app: ctx.app.name, upstream: 'Myinfo', shared: 'your Myinfo data' },
  landing: `${ctx.base}/myinfo`,
});

export const myinfoLanding = (ctx: DemoContext): void =>
  sendPage(ctx.res, 200, {
    title: 'Open an account',
    section: 'Myinfo',
    body: html(
      `<h1>Open an account ${appBadge(ctx)}</h1>` +
        '<p class="lead">Skip the typing: retrieve your details from Myinfo with Singpass. You will see what is asked for, and why, before you agree.</p>' +
        `<section class="card"><h2>Retrieve your details</h2><p>Name, NRIC, date of birth, address and contact details fill in the form below, and government-verified ones cannot be changed.</p>` +
        `<div class="actions">${buttonLink(`${ctx.base}/myinfo/start`, 'Retrieve Myinfo with Singpass', 'singpass')}</div></section>`,
    ),
  });

export const myinfoStart = (ctx: DemoContext) =>
  startFlow(ctx, flowOf(ctx), () => ctx.secpass.myinfo.authoriseUrl());

const field = (f: FormField & { wide: boolean }) =>
  `<div class="field${f.locked ? ' locked' : ''}${f.wide ? ' full' : ''}">` +
  `<label for="f-${escapeHtml(f.name)}">${escapeHtml(f.label)}</label>` +
  `<input id="f-${escapeHtml(f.name)}" name="${escapeHtml(f.name)}" value="${escapeHtml(f.value)}"${f.locked ? ' readonly aria-readonly="true"' : ''}>` +
  (f.note ? `<div class="hint">${escapeHtml(f.note)}</div>` : '') +
  '</div>';

const profileBadge = (payload: MyinfoPayload) =>
  isMyinfoV5(payload) ? 'Myinfo v5 · Singpass FAPI 2.0' : 'Myinfo v3';

const showForm = (ctx: DemoContext, payload: MyinfoPayload) => {
  const fields = formFields(myinfoPersonOf(payload));
  const name = fields.find((f) => f.name === 'name')?.value;
  sendPage(ctx.res, 200, {
    title: 'Your details',
    section: 'Myinfo',
    body: html(
      `<h1>Open an account ${appBadge(ctx)} <span class="badge">${escapeHtml(profileBadge(payload))}</span></h1>` +
        notice(
          'success',
          name ? `Welcome, ${name}` : 'Your details were retrieved',
          'Your details came from Myinfo, decrypted and verified by this app with @secpass/client. Check them, then continue.',
        ) +
        // Not a <form>: the demo submits nothing, and Enter in a field must not resubmit the callback.
        '<section class="card"><div class="form" role="form" aria-label="Account application">' +
        fields.map(field).join('') +
        '<p class="legend full"><span class="verified-mark">Verified</span> Government-verified: these fields cannot be changed here. To correct them, contact the agency that issued them.</p>' +
        '<div class="full"><button class="button primary" type="button" disabled>Submit application (demo: nothing is sent)</button></div>' +
        '</div></section>' +
        `<p>${buttonLink('/', 'Back to the demo', 'plain')}</p>`,
    ),
  });
};

export const myinfoCallback = async (ctx: DemoContext): Promise<void> => {
  await finishCallback(
    ctx,
    flowOf(ctx),
    (code, state) => ctx.secpass.myinfo.token(code, state),
    ({ payload }) => showForm(ctx, payload),
  );
};
