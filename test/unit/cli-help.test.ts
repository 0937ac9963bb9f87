import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every command a person types has `--help`: usage on stdout, nothing started, exit 0. */
const COMMANDS = [
  'local/start.ts',
  'scripts/apps.ts',
  'scripts/keys.ts',
  'scripts/invoke.ts',
  'scripts/fuzz.ts',
  'scripts/screenshots.ts',
  'bench/run.ts',
];

for (const command of COMMANDS) {
  test(`${command} --help prints its usage and exits 0`, async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', command, '--help'], {
      timeout: 20_000,
    });
    assert.match(stdout, /^usage:/);
    assert.equal(stderr, '');
    assert.doesNotMatch(stdout, /\n\s+at /, 'no stack trace');
  });
}
