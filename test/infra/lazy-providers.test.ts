import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { describe, test } from 'node:test';
import { build, type Metafile } from 'esbuild';
import { bundleOptions } from '../../infra/bundling.ts';
import { FUNCTION_NAMES, type FunctionName, handlerEntry } from '../../infra/routes.ts';

/**
 * A function loads a provider's code only when one of that provider's routes is called: its
 * handler reaches providers through `import()` alone, which esbuild bundles as modules evaluated
 * on first call. Checked on the module graph esbuild builds with the stack's own settings.
 */
const metafileOf = async (name: FunctionName): Promise<Metafile> => {
  const result = await build({ ...bundleOptions(name, tmpdir()), write: false, metafile: true });
  if (!result.metafile) throw new Error('esbuild gave no metafile');
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
const providerCode = (modules: Iterable<string>) => [...modules].filter((path) => path.startsWith(PROVIDERS));
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
      assert.deepEqual(providerCode(loadedAtColdStart(metafile, handlerEntry(name))), []);
      const bundledProviders = Object.keys(metafile.inputs).filter((path) => path.startsWith(PROVIDERS));
      if (name !== 'authorizer' && name !== 'jwks') {
        assert.ok(bundledProviders.length > 0, 'the providers are in the bundle, to load on first call');
      }
    });
  }

  test('each route’s import() reaches its own provider: Myinfo’s start does not evaluate CPFHub’s code', async () => {
    const metafile = await metafileOf('authorise-init');
    const myinfoStart = providerCode(loadedAtColdStart(metafile, 'shared/providers/myinfo/myinfo.ts'));
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
