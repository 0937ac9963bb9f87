import type { MyinfoBizAppointment, MyinfoBusinessPayload } from '../../../packages/client/src/index.ts';
import type { DemoContext } from '../context.ts';
import { buttonLink, escapeHtml, html, notice, sendPage } from '../html.ts';
import { maskUinfin } from '../mask.ts';
import { addressText, phoneText } from '../myinfo-format.ts';
import { appBadge, type Flow, finishCallback, startFlow } from './flow.ts';

/**
 * A company profile from Myinfo Business: an officer logs in with Corppass and shares their
 * entity's record (UEN, type, status, address, appointments) and their own details.
 */
const flowOf = (ctx: DemoContext): Flow => ({
  section: 'Myinfo Business',
  names: { app: ctx.app.name, upstream: 'Myinfo Business', shared: "your company's data" },
  landing: `${ctx.base}/myinfobiz`,
});

export const myinfobizLanding = (ctx: DemoContext): void =>
  sendPage(ctx.res, 200, {
    title: 'Onboard your company',
    section: 'Myinfo Business',
    body: html(
      `<h1>Onboard your company ${appBadge(ctx)}</h1>` +
        '<p class="lead">An officer of the company shares its registered profile from Myinfo Business, with Corppass.</p>' +
        `<section class="card"><h2>Retrieve the company profile</h2><p>UEN, name, type and status, registered address and appointments.</p>` +
        `<div class="actions">${buttonLink(`${ctx.base}/myinfobiz/start`, 'Retrieve Myinfo Business', 'singpass')}</div></section>`,
    ),
  });

export const myinfobizStart = (ctx: DemoContext) =>
  startFlow(ctx, flowOf(ctx), () => ctx.secpass.myinfobiz.authoriseUrl());

const fact = (label: string, value: string | number | boolean | undefined) =>
  value === undefined || value === ''
    ? ''
    : `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(String(value))}</dd>`;

const appointmentRow = (appointment: MyinfoBizAppointment) => {
  const person = appointment['person-reference'];
  const entity = appointment['entity-reference'];
  const who = person?.['person-name'].value ?? entity?.['entity-name'].value ?? '';
  const id = person ? maskUinfin(person.idno.value) : (entity?.uen.value ?? '');
  return `<tr><td>${escapeHtml(who)}</td><td>${escapeHtml(id)}</td><td>${escapeHtml(appointment.position.desc)}</td><td>${escapeHtml(appointment['appointment-date'].value)}</td></tr>`;
};

const showProfile = (ctx: DemoContext, { entity, person }: MyinfoBusinessPayload) => {
  const profile = entity['basic-profile'];
  const address = entity.addresses?.['addresses-list'][0];
  const appointments = entity.appointments?.['appointments-list'] ?? [];
  const companyName = profile?.['entity-name'].value ?? 'Your company';
  sendPage(ctx.res, 200, {
    title: companyName,
    section: 'Myinfo Business',
    body: html(
      `<h1>${escapeHtml(companyName)} ${appBadge(ctx)}</h1>` +
        notice(
          'success',
          `Welcome, ${person.name?.value ?? 'officer'}`,
          'Your company profile came from Myinfo Business, decrypted and verified with @secpass/client.',
        ) +
        '<section class="card"><h2>Company</h2><dl class="facts">' +
        fact('UEN', profile?.uen.value) +
        fact('Entity type', profile?.['entity-type'].desc) +
        fact('Status', profile?.['entity-status'].value) +
        fact('Registered on', profile?.['registration-date']?.value) +
        fact('Principal activity', profile?.['primary-activity']?.desc) +
        fact('Secondary activity', profile?.['secondary-activity']?.desc) +
        fact(
          'Registered address',
          address
            ? addressText({ ...address, source: '1', classification: 'C', lastupdated: '' })
            : undefined,
        ) +
        '</dl></section>' +
        '<section class="card"><h2>Appointments</h2><table><thead><tr><th>Name</th><th>NRIC / FIN / UEN</th><th>Position</th><th>Since</th></tr></thead><tbody>' +
        appointments.map(appointmentRow).join('') +
        '</tbody></table></section>' +
        '<section class="card"><h2>Shared by</h2><dl class="facts">' +
        fact('Name', person.name?.value) +
        fact(
          'NRIC / FIN',
          person.uinfin?.value === undefined ? undefined : maskUinfin(String(person.uinfin.value)),
        ) +
        fact('Email', person.email?.value === undefined ? undefined : String(person.email.value)) +
        fact('Mobile', person.mobileno ? phoneText(person.mobileno) : undefined) +
        '</dl></section>' +
        `<p>${buttonLink('/', 'Back to the demo', 'plain')}</p>`,
    ),
  });
};

export const myinfobizCallback = async (ctx: DemoContext): Promise<void> => {
  await finishCallback(
    ctx,
    flowOf(ctx),
    (code, state) => ctx.secpass.myinfobiz.token(code, state),
    ({ payload }) => showProfile(ctx, payload),
  );
};
