import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type LocalStack, startLocalStack } from '../../local/stack.ts';
import { demoApp } from '../helpers/assertions.ts';
import {
  myinfoConsent,
  myinfoToken,
  PERSONAS,
  postJson,
  singpassLogin,
  tokenQuery,
} from '../helpers/flows.ts';

/**
 * MockPass crashes on some requests (a made-up code at its Singpass token endpoint throws outside
 * any handler). It runs in a process of its own, started again when it dies: the broker answers
 * on, and so does MockPass after its restart. Its own output (NRICs in URLs, whole tokens) never
 * reaches the broker's log.
 */
let stack: LocalStack;
const written: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);

before(async () => {
  stack = await startLocalStack({ demoAppCount: 1 });
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return originalWrite(chunk, ...rest);
  }) as typeof process.stdout.write;
});
after(async () => {
  process.stdout.write = originalWrite;
  await stack?.stop();
});

const eventually = async (check: () => Promise<boolean>, what: string) => {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

test('a made-up authCode that crashes MockPass costs that one call: the stack answers on, MockPass comes back', async () => {
  const app = demoApp(stack, 0);
  const { authReqUri } = await singpassLogin(stack, app, PERSONAS.citizen);
  const state = new URL(authReqUri).searchParams.get('state') ?? '';
  const answer = await postJson(stack, app.apiKey, '/oidc/singpass/userInfo', { authCode: 'made-up', state });
  assert.equal(answer.status, 500);
  assert.match(((await answer.json()) as { error: string }).error, /^upstream_/);

  assert.equal((await fetch(`${stack.gatewayUrl}/.well-known/jwks.json`)).status, 200, 'the gateway answers');
  await eventually(async () => stack.mockpassRestarts() === 1, 'MockPass to be started again');
  await eventually(
    async () =>
      (await fetch(`${stack.upstreams.mockpass}/myinfo/v3/authorise`).catch(() => undefined)) !== undefined,
    'MockPass to listen again',
  );
  const { code, state: myinfoState } = await myinfoConsent(stack, app, PERSONAS.citizen);
  assert.equal((await myinfoToken(stack, app.apiKey, tokenQuery(code, myinfoState))).status, 200);
});

test('nothing MockPass prints reaches the broker’s output: every line there is Secpass’s structured JSON', () => {
  const lines = written
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '');
  assert.ok(lines.length > 0);
  for (const line of lines) {
    assert.doesNotThrow(() => JSON.parse(line), `not a structured line: ${line.slice(0, 80)}`);
    assert.match(line, /"service":"secpass"/);
  }
  assert.equal(lines.join('\n').includes(PERSONAS.citizen.nric), false);
});
