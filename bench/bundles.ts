import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFunction } from '../infra/bundling.ts';
import { FUNCTION_MEMORY_MB, FUNCTION_NAMES, type FunctionName } from '../infra/routes.ts';

export interface BundleFigures {
  name: FunctionName;
  /** The whole asset: index.mjs and every chunk. */
  sizeKb: number;
  /** What importing the handler loads: index.mjs and the chunks it imports statically. */
  loadedKb: number;
  /** Median over fresh processes of `await import(index.mjs)`, nothing invoked: Lambda's Function init. */
  importMsMedian: number;
  /** The same imports' main-thread CPU time: what they cost when nothing else wants the CPU. */
  importCpuMsMedian: number;
  /** What Lambda would report as Init Duration, by the model in `estimatedInitMs`. */
  initMsEstimate: number;
}

export interface ColdStartFigures {
  runs: number;
  bundles: BundleFigures[];
  /** The same measures for `@opengovsg/myinfo-gov-client`, what an app embedding Myinfo loads instead. */
  myinfoGovClientMsMedian: number;
  myinfoGovClientCpuMsMedian: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

// Init ≈ a hello-world Node function's own (~120 ms) + import × 1.5: on-demand init runs on a full vCPU at any memory size; 1.5 for a Graviton2 core against this machine's.
export const RUNTIME_INIT_MS = 120;
export const LAMBDA_CPU_FACTOR = 1.5;
export const estimatedInitMs = (importMs: number): number => RUNTIME_INIT_MS + LAMBDA_CPU_FACTOR * importMs;

const OUT_DIR = resolve('node_modules/.cache/secpass-bench');

/**
 * What a function's process has when Lambda imports its handler: the runtime's variables and the
 * function's own (settings are read on first use, so their values do not change the import). No
 * NODE_OPTIONS or compile cache from this shell: every import starts cold.
 */
const lambdaEnvironment = (name: FunctionName): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  TZ: ':UTC',
  LANG: 'en_US.UTF-8',
  AWS_REGION: 'ap-southeast-1',
  AWS_DEFAULT_REGION: 'ap-southeast-1',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_LAMBDA_FUNCTION_NAME: `secpass-${name}`,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(FUNCTION_MEMORY_MB),
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/secpass-${name}`,
  AWS_ACCESS_KEY_ID: 'ASIABENCH',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  LAMBDA_TASK_ROOT: join(OUT_DIR, name),
  _HANDLER: 'index.handler',
  POWERTOOLS_SERVICE_NAME: 'secpass',
  LOG_LEVEL: 'INFO',
});

/** Bundles one function as the stack does; its asset's size, and how much of it the import loads. */
const bundled = (name: FunctionName) => {
  const outdir = join(OUT_DIR, name);
  rmSync(outdir, { recursive: true, force: true });
  const { outputs } = bundleFunction(name, outdir);
  const index = Object.keys(outputs).find((path) => path.endsWith('/index.mjs'));
  const loaded = new Set<string>();
  const visit = (path: string) => {
    if (loaded.has(path)) return;
    loaded.add(path);
    for (const imported of outputs[path]?.imports ?? []) {
      if (imported.kind === 'import-statement') visit(imported.path);
    }
  };
  if (index) visit(index);
  const kb = (paths: Iterable<string>) =>
    [...paths].reduce((sum, path) => sum + (outputs[path]?.bytes ?? 0), 0) / 1024;
  return { sizeKb: kb(Object.keys(outputs)), loadedKb: kb(loaded), entry: join(outdir, 'index.mjs') };
};

interface ImportTime {
  wall: number;
  cpu: number;
}

/** Milliseconds to `import(specifier)` in a fresh Node process with `env`: elapsed, and main-thread CPU. */
const importTime = (specifier: string, env: NodeJS.ProcessEnv): ImportTime => {
  const script = [
    'const t = performance.now(), c = process.threadCpuUsage();',
    `await import(${JSON.stringify(specifier)});`,
    'const d = process.threadCpuUsage(c);',
    'process.stdout.write(JSON.stringify({ wall: performance.now() - t, cpu: (d.user + d.system) / 1000 }));',
  ].join('');
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { env }).toString(),
  );
};

/**
 * Bundles each function as the stack does, then times importing its handler in `runs` fresh
 * processes, and `@opengovsg/myinfo-gov-client` beside them. The rounds interleave the targets,
 * so a busy moment of the machine falls on all of them rather than on one.
 */
export const measureColdStarts = async (runs = 9): Promise<ColdStartFigures> => {
  type Target = FunctionName | 'myinfo-gov-client';
  const sizes = new Map(FUNCTION_NAMES.map((name) => [name, bundled(name)]));
  const targets: { name: Target; specifier: string; env: NodeJS.ProcessEnv }[] = FUNCTION_NAMES.map(
    (name) => ({
      name,
      specifier: pathToFileURL(sizes.get(name)?.entry ?? '').href,
      env: lambdaEnvironment(name),
    }),
  );
  targets.push({
    name: 'myinfo-gov-client',
    specifier: '@opengovsg/myinfo-gov-client',
    env: lambdaEnvironment('person-fetch'),
  });
  const times = new Map(targets.map((target) => [target.name, [] as ImportTime[]]));
  for (let round = 0; round < runs; round += 1) {
    for (const target of targets) times.get(target.name)?.push(importTime(target.specifier, target.env));
  }
  const medians = (name: Target) => {
    const measured = times.get(name) ?? [];
    return { wall: median(measured.map((m) => m.wall)), cpu: median(measured.map((m) => m.cpu)) };
  };
  const bundles = FUNCTION_NAMES.map((name) => {
    const { wall, cpu } = medians(name);
    return {
      name,
      sizeKb: sizes.get(name)?.sizeKb ?? Number.NaN,
      loadedKb: sizes.get(name)?.loadedKb ?? Number.NaN,
      importMsMedian: wall,
      importCpuMsMedian: cpu,
      initMsEstimate: estimatedInitMs(wall),
    };
  });
  const embedded = medians('myinfo-gov-client');
  return { runs, bundles, myinfoGovClientMsMedian: embedded.wall, myinfoGovClientCpuMsMedian: embedded.cpu };
};
