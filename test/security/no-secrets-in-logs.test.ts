import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { openSecpassToken } from '../../local/demo-app/open-token.ts';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import {
  cpfhubConsent,
  cpfhubGet,
  cpfhubToken,
  myinfoConsent,
  myinfoToken,
  PERSONAS,
  secpassOf,
  tokenQuery,
} from '../helpers/flows.ts';

let stack: LocalStack;
const written: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);

before(async () => {
  stack = await startLocalStack();
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return originalWrite(chunk, ...rest);
  }) as typeof process.stdout.write;
});
after(async () => {
  process.stdout.write = originalWrite;
  await stack?.stop();
});

/** Secpass's own log lines (MockPass, a stand-in for the real upstream, logs its own way). */
const secpassLogLines = () =>
  written
    .join('')
    .split('\n')
    .filter((line) => line.includes('"service":"secpass"'));

test('a full flow, its replay and refusals log structured JSON with no personal data, code, state, key or token', async () => {
  const app = stack.apps[0];
  assert.ok(app);
  const { code, state } = await myinfoConsent(stack, app, PERSONAS.citizen);
  const response = await myinfoToken(stack, app.apiKey, tokenQuery(code, state));
  assert.equal(response.status, 200);
  const token = await response.text();
  assert.equal((await myinfoToken(stack, app.apiKey, tokenQuery(code, state))).status, 400);
  assert.equal((await myinfoToken(stack, app.apiKey, 'code=only')).status, 400);

  const lines = secpassLogLines();
  assert.ok(lines.length >= 4, 'the requests were logged');
  for (const line of lines) {
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.ok(entry.level && entry.message && entry.timestamp, 'structured');
  }
  assert.ok(
    lines.some((line) => line.includes('"apiRequestId"')),
    'lines carry the request id',
  );
  const forbidden = {
    nric: PERSONAS.citizen.nric,
    name: 'TAN HENG HUAT',
    code,
    state,
    apiKey: app.apiKey,
    token: token.slice(0, 40),
    privateKey: String(app.privateJwk.d),
  };
  const everything = lines.join('\n');
  for (const [what, value] of Object.entries(forbidden)) {
    assert.equal(everything.includes(value), false, `${what} appears in the logs`);
  }
});

test('a CPFHub grant, its use and its revocation log neither the grant id, the code, the state nor CPF data', async () => {
  const app = stack.apps[1];
  assert.ok(app);
  written.length = 0;
  const { code, state } = await cpfhubConsent(stack, app, PERSONAS.citizen.nric, 'cpf_contribution:read');
  const response = await cpfhubToken(stack, app.apiKey, code, state);
  assert.equal(response.status, 200);
  const { payload } = await openSecpassToken(await response.text(), app, secpassOf(stack));
  const { grant_id: grantId } = JSON.parse(new TextDecoder().decode(payload)) as { grant_id: string };
  const mine = await cpfhubGet(stack, app.apiKey, '/cpfhub/user/contributions?year=2025&month=4', {
    'X-Secpass-Grant': grantId,
  });
  assert.equal(mine.status, 200);
  assert.equal((await cpfhubGet(stack, app.apiKey, '/cpfhub/contributions?year=2025&month=4')).status, 200);

  const everything = secpassLogLines().join('\n');
  assert.ok(everything.includes('"route":"GET /cpfhub/user/{proxy+}"'), 'the user call was logged');
  for (const [what, value] of Object.entries({
    grantId,
    code,
    state,
    apiKey: app.apiKey,
    nric: PERSONAS.citizen.nric,
    name: 'TAN HENG HUAT',
  })) {
    assert.equal(everything.includes(value), false, `${what} appears in the logs`);
  }
});

test('log lines carry the app’s plain X-Correlation-Id, and the request id in place of free text', async () => {
  const app = stack.apps[0];
  assert.ok(app);
  const initWith = (correlationId: string) =>
    fetch(`${stack.gatewayUrl}/myinfo/init`, {
      headers: { Authorization: `Basic ${app.apiKey}`, 'X-Correlation-Id': correlationId },
      redirect: 'manual',
    });
  assert.equal((await initWith('order-4711_retry-2')).status, 302);
  assert.ok(secpassLogLines().some((line) => line.includes('"correlationId":"order-4711_retry-2"')));

  const injected = 'S9812381D said "hi"\nfake line';
  assert.equal((await initWith(encodeURIComponent(injected).replace(/%20/g, ' '))).status, 302);
  const last =
    secpassLogLines()
      .filter((line) => line.includes('"correlationId"'))
      .at(-1) ?? '';
  const entry = JSON.parse(last) as { correlationId?: string; apiRequestId?: string };
  assert.equal(entry.correlationId, entry.apiRequestId, 'not a plain token: the request id stands in');
  assert.equal(last.includes('S9812381D'), false);
});
