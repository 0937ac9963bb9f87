import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { builtinModules, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, buildSync, type Metafile } from 'esbuild';
import { type FunctionName, handlerEntry } from './routes.ts';

/**
 * How every Lambda is bundled: the CDK stack (infra/constructs/handler-function.ts) and
 * `npm run bench` both build with `bundleFunction`, so the bench reports the sizes and import
 * times that ship. What each choice saves at cold start was measured with `npm run bench`
 * (README, "Measuring").
 */
export const BUNDLE_TARGET = 'node24';

/**
 * ESM bundles still meet CommonJS code that calls require(). Taken through
 * `process.getBuiltinModule`, so the bundle imports no Node module as ESM (see `builtinShims`).
 */
export const ESM_REQUIRE_BANNER =
  "const require = process.getBuiltinModule('module').createRequire(import.meta.url);";

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHIM_DIR = join(REPO_ROOT, 'node_modules/.cache/secpass-bundling/builtins');

/** Export names a shim can declare: identifiers, and not `default` (the module itself is that). */
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Each Node built-in as a small ES module taking it from `process.getBuiltinModule`, with the
 * built-in's own names exported. An ESM `import … from 'node:crypto'` makes Node build a facade
 * of all the built-in's exports; the SDK and our dependencies import a dozen built-ins that way,
 * which measurably slows every cold start. Named exports (not a CommonJS `module.exports`) keep
 * `(await import('node:x')).name` working in a split bundle, where esbuild would give a dynamically
 * imported CommonJS chunk a `default` export only. Written on first use (under
 * node_modules/.cache, like esbuild's own cache), so synth and bench need nothing checked in.
 */
const shimOf = (specifier: string): string => {
  const names = Object.keys(process.getBuiltinModule(specifier) as object).filter(
    (name) => name !== 'default' && IDENTIFIER.test(name),
  );
  return (
    `const m = process.getBuiltinModule(${JSON.stringify(specifier)});\nexport default m;\n` +
    (names.length ? `export const { ${names.join(', ')} } = m;\n` : '')
  );
};

/** Deprecated or experimental built-ins warn when loaded (here, at build time): left as they are. */
const UNSHIMMED = new Set([
  '_stream_wrap',
  'punycode',
  'sys',
  'wasi',
  'sea',
  'sqlite',
  'test',
  'test/reporters',
]);

const builtinShims = (): Record<string, string> => {
  mkdirSync(SHIM_DIR, { recursive: true });
  const aliases: Record<string, string> = {};
  for (const name of builtinModules) {
    const bare = name.replace(/^node:/, '');
    if (UNSHIMMED.has(bare)) continue;
    const file = join(SHIM_DIR, `${bare.replaceAll('/', '__')}.mjs`);
    const contents = shimOf(`node:${bare}`);
    let current: string | undefined;
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      current = undefined;
    }
    if (current !== contents) {
      // Renamed into place: a synth and a test bundling at once never read a half-written shim.
      const partial = `${file}.${process.pid}`;
      writeFileSync(partial, contents);
      renameSync(partial, file);
    }
    aliases[`node:${bare}`] = file;
    if (isBuiltin(bare)) aliases[bare] = file;
  }
  return aliases;
};

/**
 * What the bundles take in place of an import (esbuild's `alias`): the built-ins through their
 * shims, and the SDK's default credential chain through the environment alone
 * (`shared/adapters/lambda-credentials.ts`, which says why that is the same on Lambda).
 */
export const bundleAliases = (): Record<string, string> => ({
  ...builtinShims(),
  '@aws-sdk/credential-provider-node': join(REPO_ROOT, 'shared/adapters/lambda-credentials.ts'),
});

/**
 * A function's esbuild options, writing `index.mjs` (the handler module Lambda imports) and the
 * chunks it imports into `outdir`. Split into chunks, code reached only through `import()` (each
 * provider's, and the SDK's rarely used parts) is not even parsed until a call needs it.
 */
export const bundleOptions = (name: FunctionName, outdir: string): BuildOptions => ({
  entryPoints: { index: handlerEntry(name) },
  absWorkingDir: REPO_ROOT,
  outdir,
  outExtension: { '.js': '.mjs' },
  bundle: true,
  splitting: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  platform: 'node',
  target: BUNDLE_TARGET,
  // ESM entry points first, so esbuild can tree-shake packages that ship both. Nothing is left
  // external: the AWS SDK is bundled, tree-shaken and minified with our code. Left to the runtime's
  // copy, its hundreds of files are resolved and read one by one at every cold start, which costs
  // more than parsing the few hundred KB of it a function uses.
  mainFields: ['module', 'main'],
  alias: bundleAliases(),
  banner: { js: ESM_REQUIRE_BANNER },
  metafile: true,
  logLevel: 'error',
});

/** Bundles one function into `outdir` (synchronously: CDK's local bundling calls it). */
export const bundleFunction = (name: FunctionName, outdir: string): Metafile => {
  const { metafile } = buildSync(bundleOptions(name, outdir));
  if (!metafile) throw new Error(`esbuild gave no metafile for ${name}`);
  return metafile;
};
