import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Gateway, startGateway } from '../../local/gateway.ts';

/**
 * Through the emulator, as an app's request arrives: the id the app sends in X-Correlation-Id is
 * logged only when it is safe, and the request id API Gateway assigned stands in otherwise. The
 * public SG-Verify callback answers 400 without a code, so no other service has to run.
 */
let gateway: Gateway;
const written: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);

before(async () => {
  gateway = await startGateway(0);
  // Log lines are written as strings; the test runner's own reports to its parent are bytes.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk === 'string') written.push(chunk);
    return originalWrite(chunk, ...rest);
  }) as typeof process.stdout.write;
});
after(async () => {
  process.stdout.write = originalWrite;
  await gateway?.stop();
});

interface LogEntry {
  message?: string;
  correlationId?: string;
  apiRequestId?: string;
}

const callbackWith = async (correlationId: string) => {
  written.length = 0;
  const response = await fetch(`${gateway.url}/sgverify/callback`, {
    headers: { 'X-Correlation-Id': correlationId },
  });
  assert.equal(response.status, 400);
  const output = written.join('');
  const done = output
    .split('\n')
    .filter((line) => line.includes('"service":"secpass"'))
    .map((line) => JSON.parse(line) as LogEntry)
    .find((entry) => entry.message === 'request done');
  assert.ok(done, 'the request was logged');
  assert.ok(done.apiRequestId, 'with the request id');
  return { done, output };
};

test('a safe correlation id is logged as sent', async () => {
  const { done } = await callbackWith('kiosk-12_scan-0042');
  assert.equal(done.correlationId, 'kiosk-12_scan-0042');
});

test('an NRIC, an API key or a dotted id sent as a correlation id never reaches the logs', async () => {
  for (const sent of ['S9812381D', `spk_${'k'.repeat(43)}`, 'case-f1234567n-7', 'order-4711.retry_2']) {
    const { done, output } = await callbackWith(sent);
    assert.equal(done.correlationId, done.apiRequestId, `${sent}: the request id stands in`);
    assert.equal(output.toLowerCase().includes(sent.toLowerCase()), false, `${sent} appears in the logs`);
  }
});
