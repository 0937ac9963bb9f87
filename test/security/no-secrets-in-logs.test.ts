import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { myinfoConsent, myinfoToken, PERSONAS, tokenQuery } from '../helpers/flows.ts';

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
