import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { buildSync } from 'esbuild';
import { bundleOptions } from '../../infra/bundling.ts';

/**
 * The bundles take Node's built-ins through shims; code that imports one dynamically and reads a
 * named export (as the AWS SDK does for `AsyncLocalStorage` and `request`) must still find it in a
 * split bundle.
 */
test('a bundled `(await import("node:x")).name` finds the built-in’s export', async () => {
  const outdir = mkdtempSync(join(tmpdir(), 'secpass-builtins-'));
  buildSync({
    ...bundleOptions('jwks', outdir),
    entryPoints: { index: join(import.meta.dirname, 'fixtures/dynamic-builtins.ts') },
  });
  const bundled = (await import(pathToFileURL(join(outdir, 'index.mjs')).href)) as {
    handler: () => Promise<boolean>;
  };
  assert.equal(await bundled.handler(), true);
});
