import {
  type CpfhubContribution,
  type CpfhubContributions,
  SecpassApiError,
} from '../../../packages/client/src/index.ts';
import type { DemoContext } from '../context.ts';
import { explainFailure } from '../explain.ts';
import { buttonLink, escapeHtml, html, notice, postButton, redirect, sendPage } from '../html.ts';
import { maskUinfin } from '../mask.ts';
import { money } from '../myinfo-format.ts';
import { appBadge, type Flow, finishCallback, finishFlow, showExplanation, startFlow } from './flow.ts';

/**
 * CPFHub two ways. Payroll: the employer's back office reads every employee's contributions
 * through Secpass with only its API key. Employee: a person grants the app access to their own
 * records (CPFHub OAuth, kept by Secpass); the app keeps the grant id in its server-side session
 * and reads their contributions with it.
 */
const SCOPES = ['cpf_contribution:read', 'cpf_statement:read'];

const flowOf = (ctx: DemoContext): Flow => ({
  section: 'CPFHub',
  names: { app: ctx.app.name, upstream: 'CPFHub', shared: 'your CPF records' },
  landing: `${ctx.base}/cpfhub`,
});

/** The month asked for, else last month: complete, CPF paying it on the 14th of this one. */
const monthOf = (query: URLSearchParams) => {
  const year = Number(query.get('year'));
  const month = Number(query.get('month'));
  if (
    Number.isInteger(year) &&
    year >= 2000 &&
    year <= 2100 &&
    Number.isInteger(month) &&
    month >= 1 &&
    month <= 12
  ) {
    return { year, month };
  }
  const now = new Date();
  return now.getUTCMonth() === 0
    ? { year: now.getUTCFullYear() - 1, month: 12 }
    : { year: now.getUTCFullYear(), month: now.getUTCMonth() };
};

const monthName = ({ year, month }: { year: number; month: number }) =>
  new Date(Date.UTC(year, month - 1, 1)).toLocaleDateString('en-SG', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });

const row = (line: CpfhubContribution) =>
  `<tr><td>${escapeHtml(line.name)}</td><td>${escapeHtml(maskUinfin(line.nric))}</td>` +
  `<td class="num">${money(line.ordinaryWages + line.additionalWages)}</td>` +
  `<td class="num">${money(line.employerShare)}</td><td class="num">${money(line.employeeShare)}</td>` +
  `<td class="num">${money(line.total)}</td><td>${escapeHtml(line.paidOn ?? 'Not yet paid')}</td></tr>`;

const sum = (lines: CpfhubContribution[], pick: (line: CpfhubContribution) => number) =>
  lines.reduce((total, line) => total + pick(line), 0);

const contributionsTable = (lines: CpfhubContribution[]) =>
  '<table><thead><tr><th>Employee</th><th>NRIC / FIN</th><th class="num">Wages</th><th class="num">Employer</th>' +
  '<th class="num">Employee</th><th class="num">Total CPF</th><th>Paid on</th></tr></thead><tbody>' +
  lines.map(row).join('') +
  '</tbody>' +
  (lines.length > 1
    ? `<tfoot><tr><td colspan="3">Total</td><td class="num">${money(sum(lines, (l) => l.employerShare))}</td>` +
      `<td class="num">${money(sum(lines, (l) => l.employeeShare))}</td><td class="num">${money(sum(lines, (l) => l.total))}</td><td></td></tr></tfoot>`
    : '') +
  '</table>';

const monthPicker = (action: string, shown: { year: number; month: number }) =>
  `<form method="get" action="${escapeHtml(action)}" class="month-picker">` +
  `<label>Month <input type="month" name="ym" value="${shown.year}-${String(shown.month).padStart(2, '0')}"></label>` +
  '<button class="button plain" type="submit">Show</button></form>';

/** `<input type="month">` sends ym=YYYY-MM; the page reads it as year and month. */
const queryWithMonth = (query: URLSearchParams) => {
  const [year, month] = (query.get('ym') ?? '').split('-');
  return year && month ? new URLSearchParams({ year, month: String(Number(month)) }) : query;
};

export const payroll = async (ctx: DemoContext): Promise<void> => {
  const shown = monthOf(queryWithMonth(ctx.query));
  let answer: CpfhubContributions;
  try {
    answer = await ctx.secpass.cpfhub.get<CpfhubContributions>('contributions', shown);
  } catch (error) {
    return showExplanation(
      ctx,
      { ...flowOf(ctx), section: 'CPFHub payroll', landing: `${ctx.base}/payroll` },
      explainFailure(error, flowOf(ctx).names),
    );
  }
  sendPage(ctx.res, 200, {
    title: 'Payroll',
    section: 'CPFHub payroll',
    body: html(
      `<h1>CPF contributions, ${escapeHtml(monthName(shown))} ${appBadge(ctx)}</h1>` +
        `<p class="lead">${escapeHtml(answer.employer.name)} (UEN ${escapeHtml(answer.employer.uen)}): every employee, read from CPFHub through Secpass with the app's API key alone.</p>` +
        `<section class="card">${monthPicker(`${ctx.base}/payroll`, shown)}${contributionsTable(answer.contributions)}</section>` +
        `<p>${buttonLink('/', 'Back to the demo', 'plain')}</p>`,
    ),
  });
};

export const cpfhubLanding = (ctx: DemoContext): void => {
  if (ctx.sessions.find(ctx.req)?.cpfhubGrants.get(ctx.n)) {
    redirect(ctx.res, `${ctx.base}/cpfhub/me`);
    return;
  }
  sendPage(ctx.res, 200, {
    title: 'Connect your CPF',
    section: 'CPFHub',
    body: html(
      `<h1>Your CPF, in ${escapeHtml(ctx.app.name)}</h1>` +
        '<p class="lead">Let this app read your CPF contributions and statements. You can disconnect at any time.</p>' +
        '<section class="card"><h2>Connect</h2><p>CPFHub will ask you to log in and to agree to: reading your contributions and your yearly statements.</p>' +
        `<div class="actions">${buttonLink(`${ctx.base}/cpfhub/start`, 'Connect with CPFHub')}</div></section>`,
    ),
  });
};

export const cpfhubStart = (ctx: DemoContext) =>
  startFlow(ctx, flowOf(ctx), () => ctx.secpass.cpfhub.oauthUrl(SCOPES));

export const cpfhubCallback = async (ctx: DemoContext): Promise<void> => {
  await finishCallback(
    ctx,
    flowOf(ctx),
    (code, state) => ctx.secpass.cpfhub.grantToken(code, state),
    ({ payload }) => {
      ctx.sessions.open(ctx.req, ctx.res).cpfhubGrants.set(ctx.n, payload.grant_id);
      redirect(ctx.res, `${ctx.base}/cpfhub/me`, 303);
    },
  );
};

export const myContributions = async (ctx: DemoContext): Promise<void> => {
  const flow = flowOf(ctx);
  const session = ctx.sessions.find(ctx.req);
  const grantId = session?.cpfhubGrants.get(ctx.n);
  if (!grantId) return redirect(ctx.res, `${ctx.base}/cpfhub`);
  const shown = monthOf(queryWithMonth(ctx.query));
  await finishFlow(
    ctx,
    flow,
    () =>
      ctx.secpass.cpfhub
        .user(grantId)
        .get<CpfhubContributions>('contributions', shown)
        .catch((error: unknown) => {
          // An ended grant is no use kept: the next visit offers to connect again.
          if (error instanceof SecpassApiError && error.is('unknown_grant', 'grant_revoked', 'grant_lost')) {
            session?.cpfhubGrants.delete(ctx.n);
          }
          throw error;
        }),
    (answer) =>
      sendPage(ctx.res, 200, {
        title: 'Your CPF contributions',
        section: 'CPFHub',
        body: html(
          `<h1>Your CPF contributions ${appBadge(ctx)}</h1>` +
            notice(
              'success',
              'Connected to CPFHub',
              'Read with the permission you gave; only your own records are visible.',
            ) +
            `<section class="card"><h2>${escapeHtml(monthName(shown))}</h2>${monthPicker(`${ctx.base}/cpfhub/me`, shown)}` +
            (answer.contributions.length
              ? contributionsTable(answer.contributions)
              : '<p>No contributions for this month.</p>') +
            `<div class="actions">${postButton(`${ctx.base}/cpfhub/disconnect`, 'Disconnect CPF')}</div></section>`,
        ),
      }),
  );
};

export const disconnect = async (ctx: DemoContext): Promise<void> => {
  const session = ctx.sessions.find(ctx.req);
  const grantId = session?.cpfhubGrants.get(ctx.n);
  if (grantId) {
    await finishFlow(
      ctx,
      flowOf(ctx),
      () => ctx.secpass.cpfhub.revokeGrant(grantId),
      () => {
        session?.cpfhubGrants.delete(ctx.n);
        sendPage(ctx.res, 200, {
          title: 'Disconnected',
          section: 'CPFHub',
          body: html(
            notice('info', 'Disconnected', `${ctx.app.name} can no longer read your CPF records.`) +
              `<p>${buttonLink(`${ctx.base}/cpfhub`, 'Connect again')} ${buttonLink('/', 'Back to the demo', 'plain')}</p>`,
          ),
        });
      },
    );
    return;
  }
  redirect(ctx.res, `${ctx.base}/cpfhub`, 303);
};
