import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_TARGET, ESM_REQUIRE_BANNER, EXTERNAL_MODULES } from '../infra/bundling.ts';
import { FUNCTION_NAMES, handlerEntry } from '../infra/routes.ts';

export interface BundleFigures {
  name: string;
  sizeKb: number;
  loadMsMedian: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

// Inside node_modules so the externals (@aws-sdk/*) resolve as they would on Lambda.
const OUT_DIR = 'node_modules/.cache/secpass-bench';

/** Bundles each function as the stack does, then times importing it in a fresh process. */
export const measureBundles = async (runs = 10): Promise<BundleFigures[]> => {
  mkdirSync(OUT_DIR, { recursive: true });
  const figures: BundleFigures[] = [];
  for (const name of FUNCTION_NAMES) {
    const outfile = join(OUT_DIR, `${name}.mjs`);
    await build({
      entryPoints: [handlerEntry(name)],
      outfile,
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'node',
      target: BUNDLE_TARGET,
      mainFields: ['module', 'main'],
      external: EXTERNAL_MODULES,
      banner: { js: ESM_REQUIRE_BANNER },
      logLevel: 'silent',
    });
    const loads: number[] = [];
    for (let i = 0; i < runs; i += 1) {
      const script = `const t=performance.now();await import(${JSON.stringify(`./${outfile}`)});console.log(performance.now()-t)`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        env: { ...process.env, AWS_REGION: 'ap-southeast-1' },
      });
      loads.push(Number(out.toString().trim().split('\n').pop()));
    }
    figures.push({ name, sizeKb: statSync(outfile).size / 1024, loadMsMedian: median(loads) });
  }
  return figures;
};
