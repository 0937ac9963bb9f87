import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { BUNDLE_TARGET, EXTERNAL_MODULES } from '../../infra/bundling.ts';
import { FUNCTION_NAMES, type FunctionName, handlerEntry } from '../../infra/routes.ts';

/**
 * A function loads a provider's code only when one of that provider's routes is called: its
 * handler reaches providers through `import()` alone, which esbuild bundles as modules evaluated
 * on first call. Checked on the module graph esbuild builds with the stack's own settings.
 */
const metafileOf = async (name: FunctionName): Promise<Metafile> => {
  const result = await build({
    entryPoints: [handlerEntry(name)],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    external: EXTERNAL_MODULES,
    mainFields: ['module', 'main'],
    logLevel: 'silent',
  });
  return result.metafile;
};

/** Every module the entry evaluates at load: static imports followed, dynamic ones not. */
const loadedAtColdStart = (metafile: Metafile, entry: string): Set<string> => {
  const seen = new Set<string>();
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const imported of metafile.inputs[path]?.imports ?? []) {
      if (imported.kind !== 'dynamic-import' && !imported.external) visit(imported.path);
    }
  };
  visit(entry);
  return seen;
};

const PROVIDERS = 'shared/providers/';
/**
 * Every function reads app records, whose schema checks scopes against two providers' constant
 * lists (CPFHub's allow-list, Singpass's registration rules): those leaves load with the record.
 */
const APP_RECORD = 'shared/apps/app-record.ts';
const providerCode = (metafile: Metafile, modules: Iterable<string>) => {
  const recordSchema = metafile.inputs[APP_RECORD] ? loadedAtColdStart(metafile, APP_RECORD) : new Set();
  return [...modules].filter((path) => path.startsWith(PROVIDERS) && !recordSchema.has(path));
};
const PRIVATE_KEY_LOADERS = [
  'shared/secrets/signing-keys.ts',
  'shared/secrets/singpass-keys.ts',
  'shared/secrets/pki-credentials.ts',
  'shared/secrets/cpfhub-credentials.ts',
];

describe('providers load lazily', () => {
  for (const name of FUNCTION_NAMES) {
    test(`${name}: no provider module is evaluated at cold start; each is bundled behind import()`, async () => {
      const metafile = await metafileOf(name);
      assert.deepEqual(providerCode(metafile, loadedAtColdStart(metafile, handlerEntry(name))), []);
      const bundledProviders = Object.keys(metafile.inputs).filter((path) => path.startsWith(PROVIDERS));
      if (name !== 'authorizer' && name !== 'jwks') {
        assert.ok(bundledProviders.length > 0, 'the providers are in the bundle, to load on first call');
      }
    });
  }

  test('each route’s import() reaches its own provider: Myinfo’s start does not evaluate CPFHub’s code', async () => {
    const metafile = await metafileOf('authorise-init');
    const myinfoStart = providerCode(
      metafile,
      loadedAtColdStart(metafile, 'shared/providers/myinfo/myinfo.ts'),
    );
    assert.ok(myinfoStart.includes('shared/providers/myinfo/myinfo.ts'));
    assert.deepEqual(
      myinfoStart.filter((path) => /providers\/(cpfhub|sgverify|myinfobiz)\//.test(path)),
      [],
    );
  });

  test('jwks bundles no code that could read a private key', async () => {
    const inputs = Object.keys((await metafileOf('jwks')).inputs);
    assert.deepEqual(
      inputs.filter((path) => PRIVATE_KEY_LOADERS.includes(path) || path.startsWith(PROVIDERS)),
      [],
    );
    assert.ok(inputs.includes('shared/secrets/public-keys.ts'));
  });
});
