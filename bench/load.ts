import { AsyncLocalStorage } from 'node:async_hooks';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { useLocalEnvironment } from '../local/local-environment.ts';
import type { ProcessUsage } from '../local/usage-reporter.ts';
import { createSecpassClient, myinfoPersonOf } from '../packages/client/src/index.ts';
import { exitWithUsageIfAsked } from '../scripts/help.ts';
import { consentAndReturn } from '../test/helpers/browser.ts';
import {
  closedLoop,
  createMeter,
  errorKey,
  newHistogram,
  percentiles,
  recordSince,
  StepFailed,
  step,
} from './load-driver.ts';
import { cpuSecondsOf, descendantsCpuSeconds, findStackProcesses, machineCpu } from './load-processes.ts';
import { startStackProcess } from './stack-process.ts';
import { warmDynamoDbLocal } from './warm-jvm.ts';

/**
 * `npm run load`: a bounded run of complete Myinfo flows against the broker, started as
 * `npm start` runs it in its own process. This process plays the apps and their users.
 *
 * A closed loop of workers on Node's own fetch (undici, keep-alive) rather than autocannon: a
 * flow crosses two origins and carries a single-use state and code from one response into the
 * next request, which autocannon's fixed request lists cannot carry without faking the flow.
 */
exitWithUsageIfAsked(`usage: npm run load
Runs complete Myinfo flows (init through the gateway, MockPass's headless login and consent, the
token through the gateway, the token opened and verified with @secpass/client) from
LOAD_CONCURRENCY closed-loop workers for LOAD_SECONDS against the broker, started in its own
process as npm start runs it. Prints throughput, latency percentiles, errors by kind, each
process's CPU and the broker's memory at start and end. Exits 1 if any flow failed.
environment:
  LOAD_SECONDS      how long to run after the warm-up (default 60)
  LOAD_CONCURRENCY  flows in flight at once (default 50)`);

const whole = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`${name} must be a whole number above 0, not ${process.env[name]}`);
    process.exit(2);
  }
  return value;
};

const SECONDS = whole('LOAD_SECONDS', 60);
const CONCURRENCY = whole('LOAD_CONCURRENCY', 50);
const WARMUP_FLOWS = 100;
const JVM_WARMUP_REQUESTS = 3_000;
const SETTLE_MS = 2_000;
/** Per request, to the gateway or MockPass; the broker's handlers give up after 29 s. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The broker's live memory after a full collection, start against end: more than this is growth. */
const LIVE_NOISE_MB = 5;
/** A Node process runs its JavaScript on one thread: near one core it is saturated. */
const SATURATED_CORES = 0.9;
/** Processes outside this run using more than this: the machine was shared with other work. */
const SHARED_CORES = 0.2;
const PERSONAS = [
  { nric: 'S9812381D', uuid: 'b6cb9308-733b-42b3-ad38-9b5afc890206' },
  { nric: 'S9812379B', uuid: '952b0342-0649-a6fe-245b-87cfcc3d38da' },
  { nric: 'F1612347K', uuid: '22e08ae6-0d4c-2053-078e-4e22d82d9983' },
  { nric: 'G1612348Q', uuid: '9bcbe570-28d6-4d67-0a34-43ca8da6055a' },
] as const;

const MB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;
const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(10);
const cpuSeconds = (usage: ProcessUsage) => (usage.cpu.user + usage.cpu.system) / 1e6;
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);

/** CPU so far: the whole machine's, this process's and that of the processes it started. */
const cpuReading = () => ({
  at: performance.now(),
  machine: machineCpu(),
  self: process.cpuUsage(),
  descendants: descendantsCpuSeconds(),
});
/** Cores used between two readings: the machine, this process, this run (with it), and the rest. */
const cpuBetween = (from: ReturnType<typeof cpuReading>, to: ReturnType<typeof cpuReading>) => {
  const wall = (to.at - from.at) / 1000;
  const self = (to.self.user + to.self.system - from.self.user - from.self.system) / 1e6 / wall;
  const machine =
    from.machine && to.machine
      ? ((to.machine.busy - from.machine.busy) / (to.machine.total - from.machine.total)) *
        availableParallelism()
      : undefined;
  const descendants =
    from.descendants === undefined || to.descendants === undefined
      ? undefined
      : (to.descendants - from.descendants) / wall;
  const ours = descendants === undefined ? undefined : descendants + self;
  const outside = machine === undefined || ours === undefined ? undefined : Math.max(0, machine - ours);
  return { machine, self, ours, outside };
};

// The broker's heap is read after a full collection, which only the load run asks for: the
// broker's Node processes get --expose-gc and collect on SIGUSR2, and nothing else changes.
// Without it heapUsed mostly shows how far V8 has put off its next full collection.
const GC_ON_SIGNAL = "--import=data:text/javascript,process.on('SIGUSR2',()=>globalThis.gc?.())";
process.env.NODE_OPTIONS = [process.env.NODE_OPTIONS, '--expose-gc', GC_ON_SIGNAL].filter(Boolean).join(' ');

const stack = await startStackProcess();
const { demo } = stack;
let exitCode = 0;
try {
  const [demoApp] = demo.apps;
  if (!demoApp) throw new Error('demo-app.json names no demo app');
  const { appId } = demoApp;

  // This process warms the broker's table through the same endpoint, as `npm run bench` does.
  useLocalEnvironment({
    AWS_ENDPOINT_URL_DYNAMODB: demo.dynamodbUrl,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: demo.secretsUrl,
    SECPASS_TABLE: demo.tableName,
  });
  const watched = findStackProcesses();

  /** The broker's memory after a full collection (the least of three), or undefined if it cannot collect. */
  const settledMemory = async (): Promise<NodeJS.MemoryUsage | undefined> => {
    const { broker } = watched;
    if (broker === undefined) return undefined;
    let least: NodeJS.MemoryUsage | undefined;
    for (let i = 0; i < 3; i += 1) {
      process.kill(broker, 'SIGUSR2');
      await sleep(300);
      const { memory } = await stack.usage();
      if (!least || memory.heapUsed + memory.external < least.heapUsed + least.external) least = memory;
    }
    return least;
  };

  // Every request of a flow goes through the meter: the client's calls to the gateway, and the
  // tests' headless user agent (consentAndReturn), which calls the global fetch, at MockPass.
  // The flow's own token request time is kept aside, so opening = token step − request.
  const base = `${demo.gatewayUrl.replace(/\/+$/, '')}/`;
  const initPath = new URL('myinfo/init', base).pathname;
  const tokenPath = new URL('myinfo/token', base).pathname;
  const currentFlow = new AsyncLocalStorage<{ tokenRequestMs: number }>();
  const meter = createMeter(globalThis.fetch.bind(globalThis), REQUEST_TIMEOUT_MS, (url, elapsed) => {
    const current = currentFlow.getStore();
    if (current && url.pathname === tokenPath) current.tokenRequestMs = elapsed;
  });
  globalThis.fetch = meter.fetch;
  const client = createSecpassClient({
    baseUrl: demo.gatewayUrl,
    apiKey: demoApp.apiKey,
    appId,
    privateKey: demoApp.privateJwk,
    fetch: meter.fetch,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  });

  const flowLatency = newHistogram();
  const consentLatency = newHistogram();
  const openLatency = newHistogram();
  const errors = new Map<string, number>();
  let flowsStarted = 0;
  let completed = 0;

  const oneFlow = async () => {
    const persona = PERSONAS[flowsStarted++ % PERSONAS.length] ?? PERSONAS[0];
    const start = performance.now();
    const authoriseUrl = await step('init', () => client.myinfo.authoriseUrl());
    const consentStart = performance.now();
    const { code, state } = await step('MockPass login and consent', () =>
      consentAndReturn(authoriseUrl, demoApp.callbacks.myinfo, persona),
    );
    recordSince(consentLatency, consentStart);
    // client.myinfo.token: GET /myinfo/token (timed by the meter), then the token opened.
    const tokenStart = performance.now();
    const opened = await step('token', () => client.myinfo.token(code, state));
    const tokenRequestMs = currentFlow.getStore()?.tokenRequestMs ?? 0;
    openLatency.recordValue(
      Math.max(1, Math.round((performance.now() - tokenStart - tokenRequestMs) * 1000)),
    );
    const uinfin = myinfoPersonOf(opened.payload).uinfin?.value;
    if (uinfin !== persona.nric) {
      throw new StepFailed('token', 'the token holds another person', { cause: uinfin });
    }
    recordSince(flowLatency, start);
    completed += 1;
  };
  const flow = () => currentFlow.run({ tokenRequestMs: 0 }, oneFlow);
  const failed = (error: unknown) => {
    const key = errorKey(error);
    errors.set(key, (errors.get(key) ?? 0) + 1);
  };

  console.log(
    `Warming up: DynamoDB Local with ${JVM_WARMUP_REQUESTS} requests, then ${WARMUP_FLOWS} flows at ${CONCURRENCY} in flight`,
  );
  await warmDynamoDbLocal(JVM_WARMUP_REQUESTS);
  await closedLoop(CONCURRENCY, () => flowsStarted < WARMUP_FLOWS, flow, failed);
  const warmupErrors = sum(errors.values());
  if (warmupErrors > 0) console.log(`  warm-up failures: ${JSON.stringify(Object.fromEntries(errors))}`);
  errors.clear();
  meter.reset();
  for (const histogram of [flowLatency, consentLatency, openLatency]) histogram.reset();
  completed = 0;

  // The machine while the broker idles, to tell this run's CPU from other work on the machine.
  const idleFrom = cpuReading();
  await sleep(SETTLE_MS);
  const beforeRun = cpuBetween(idleFrom, cpuReading());
  const unsettledStart = (await stack.usage()).memory;
  const memoryStart = await settledMemory();

  const brokerStart = await stack.usage();
  const mockpassStart = cpuSecondsOf(watched.mockpass);
  const dynamodbStart = cpuSecondsOf(watched.dynamodb);
  const runFrom = cpuReading();
  const runStart = runFrom.at;
  const deadline = runStart + SECONDS * 1000;
  console.log(`Running: ${CONCURRENCY} flows in flight for ${SECONDS} s`);

  // The broker's memory once a second while the load runs (no collection forced), for the range.
  const memoryDuringRun: NodeJS.MemoryUsage[] = [];
  let running = true;
  const sampler = (async () => {
    while (running) {
      await sleep(1_000);
      if (running) memoryDuringRun.push((await stack.usage()).memory);
    }
  })();
  await closedLoop(CONCURRENCY, () => performance.now() < deadline, flow, failed);
  running = false;
  await sampler;
  const wallSeconds = (performance.now() - runStart) / 1000;
  const brokerEnd = await stack.usage();
  const mockpassEnd = cpuSecondsOf(watched.mockpass);
  const dynamodbEnd = cpuSecondsOf(watched.dynamodb);
  const duringRun = cpuBetween(runFrom, cpuReading());
  const unsettledEnd = brokerEnd.memory;
  await sleep(SETTLE_MS);
  const memoryEnd = await settledMemory();

  // --- report ---
  const gateway = new URL(demo.gatewayUrl).origin;
  const mockpass = new URL(demo.upstreams.mockpass).origin;
  const gatewayRequests = meter.requests(gateway);
  const mockpassRequests = meter.requests(mockpass);
  const errorCount = sum(errors.values());
  const perSecond = (count: number) => (count / wallSeconds).toFixed(1);
  console.log(
    `\nMyinfo flows, ${CONCURRENCY} in flight (closed loop: each worker starts its next flow when one ends), ${wallSeconds.toFixed(1)} s`,
  );
  console.log(`  flows completed          ${completed}   (${perSecond(completed)} flows/s)`);
  console.log(`  requests to the gateway  ${gatewayRequests}   (${perSecond(gatewayRequests)} req/s)`);
  console.log(
    `  requests to MockPass     ${mockpassRequests}   (${perSecond(mockpassRequests)} req/s: the person's login and consent)`,
  );
  const row = (label: string, histogram: ReturnType<typeof newHistogram>) => {
    const p = percentiles(histogram);
    console.log(
      `  ${label.padEnd(40)} p50 ${ms(p.p50)}   p95 ${ms(p.p95)}   p99 ${ms(p.p99)}   max ${ms(p.max)}`,
    );
  };
  console.log('\nLatency, as the app and the person see it');
  row('complete flow', flowLatency);
  row('GET /myinfo/init (gateway)', meter.latency(gateway, initPath));
  row('login and consent at MockPass', consentLatency);
  row('GET /myinfo/token (gateway)', meter.latency(gateway, tokenPath));
  row('opening the token (@secpass/client)', openLatency);

  console.log(`\nErrors: ${errorCount}`);
  for (const [kind, count] of [...errors].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${String(count).padStart(6)}  ${kind}`);
  }

  const cores = availableParallelism();
  const coresUsed = (from: number | undefined, to: number | undefined) =>
    from === undefined || to === undefined ? undefined : (to - from) / wallSeconds;
  const processes = [
    {
      label: 'broker (gateway, handlers, simulators)',
      node: true,
      cores: coresUsed(cpuSeconds(brokerStart), cpuSeconds(brokerEnd)),
    },
    { label: 'MockPass (its own process)', node: true, cores: coresUsed(mockpassStart, mockpassEnd) },
    {
      label: 'DynamoDB Local (JVM, many threads)',
      node: false,
      cores: coresUsed(dynamodbStart, dynamodbEnd),
    },
    { label: 'this process (people, apps, token opening)', node: true, cores: duringRun.self },
  ];
  const { machine } = duringRun;
  const cell = (value: number | undefined) => (value === undefined ? 'n/a' : value.toFixed(2)).padStart(5);
  const perFlow = (used: number | undefined) =>
    used === undefined || completed === 0 ? '' : `${ms((used * wallSeconds * 1000) / completed)} per flow`;
  console.log(
    `\nCPU over the run (cores used = CPU seconds / wall seconds; this machine has ${cores}), and CPU time per flow`,
  );
  for (const { label, cores: used } of processes) {
    console.log(`  ${label.padEnd(46)} ${cell(used)}   ${perFlow(used)}`);
  }
  const named = sum(processes.map((p) => p.cores ?? 0));
  console.log(`  ${'the four together'.padEnd(46)} ${cell(named)}   ${perFlow(named)}`);
  const ours = duringRun.ours === undefined ? undefined : Math.max(0, duringRun.ours - named);
  console.log(`  ${"this run's other processes (npm, tsx, esbuild)".padEnd(46)} ${cell(ours)}`);
  console.log(`  ${'processes outside this run'.padEnd(46)} ${cell(duringRun.outside)}`);
  console.log(`  ${'whole machine'.padEnd(46)} ${cell(machine)}`);
  console.log(
    `  ${'before the run, broker idle, 2 s:'.padEnd(46)} this run ${cell(beforeRun.ours)}, outside it ${cell(beforeRun.outside)}`,
  );
  const saturated = [
    ...processes
      .filter((p) => p.node && (p.cores ?? 0) >= SATURATED_CORES)
      .map((p) => p.label.replace(/ \(.*/, '')),
    ...(machine !== undefined && machine >= 0.9 * cores ? [`the machine's ${cores} cores`] : []),
  ];
  console.log(
    `  saturated: ${saturated.join(', ') || 'nothing'} (a Node process at ≥ ${SATURATED_CORES} cores, the machine at ≥ 90%)`,
  );
  const outside = Math.max(beforeRun.outside ?? 0, duringRun.outside ?? 0);
  if (outside > SHARED_CORES) {
    console.log(
      `  note: processes outside this run used up to ${outside.toFixed(2)} cores: the machine was shared, so these figures are lower than the stack alone would give`,
    );
  }

  // Live memory = the V8 heap in use plus memory outside it held by JavaScript objects (Buffers).
  const live = (memory: NodeJS.MemoryUsage) => memory.heapUsed + memory.external;
  console.log('\nBroker memory (live = heapUsed + external: the V8 heap in use and the Buffers it holds)');
  const columns = (label: string, values: [string, string][]) =>
    console.log(
      `  ${label.padEnd(40)}${values.map(([name, value]) => `${name} ${value.padStart(14)}`).join('  ')}`,
    );
  const line = (label: string, memory: NodeJS.MemoryUsage) =>
    columns(label, [
      ['rss', mb(memory.rss)],
      ['heapTotal', mb(memory.heapTotal)],
      ['live', mb(live(memory))],
    ]);
  const range = (pick: (memory: NodeJS.MemoryUsage) => number) => {
    const values = memoryDuringRun.map(pick);
    return `${(Math.min(...values) / MB).toFixed(1)}–${mb(Math.max(...values))}`;
  };
  line('start, after warm-up (nothing forced)', unsettledStart);
  if (memoryDuringRun.length > 0) {
    columns('during the run, once a second', [
      ['rss', range((m) => m.rss)],
      ['heapTotal', range((m) => m.heapTotal)],
      ['live', range(live)],
    ]);
  }
  line('end (nothing forced)', unsettledEnd);
  if (memoryStart && memoryEnd) {
    line('start, after a full collection', memoryStart);
    line(`end, ${SETTLE_MS / 1000} s idle, after a full collection`, memoryEnd);
    const growth = live(memoryEnd) - live(memoryStart);
    const sign = growth >= 0 ? '+' : '−';
    const bytesPerFlow = completed > 0 ? Math.round(Math.abs(growth) / completed) : 0;
    console.log(
      `  growth beyond noise: ${growth > LIVE_NOISE_MB * MB ? 'yes' : 'no'} ` +
        `(live memory after a full collection, end − start: ${sign}${mb(Math.abs(growth))}, ${sign}${bytesPerFlow} bytes per flow; ` +
        `noise: within ${LIVE_NOISE_MB} MB)`,
    );
    if (memoryDuringRun.length >= 4) {
      const half = Math.floor(memoryDuringRun.length / 2);
      const peak = (samples: NodeJS.MemoryUsage[]) => Math.max(...samples.map((m) => m.rss));
      console.log(
        `  rss peak, first half of the run ${mb(peak(memoryDuringRun.slice(0, half)))}, second half ${mb(peak(memoryDuringRun.slice(half)))}: ` +
          'rss follows the heap V8 grew into under load and is not given back at once when it shrinks',
      );
    }
  } else {
    console.log('  growth beyond noise: unknown (the broker process could not be found to collect its heap)');
  }

  if (errorCount + warmupErrors > 0) exitCode = 1;
} finally {
  await stack.stop();
}
process.exit(exitCode);
