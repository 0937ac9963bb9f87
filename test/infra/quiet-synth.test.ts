import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

test('`cdk synth -q` offline prints nothing: no bundling chatter, no warning for a build without -c env', async () => {
  const output = mkdtempSync(join(tmpdir(), 'secpass-synth-'));
  const { stdout, stderr } = await run('npx', ['cdk', 'synth', '-q', '--output', output], {
    timeout: 120_000,
    env: { ...process.env, CI: 'true' },
  });
  assert.equal(stdout, '');
  assert.equal(stderr, '');
});
