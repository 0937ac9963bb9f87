import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * The processes of the stack (the broker's own pid, MockPass, DynamoDB Local's JVM) and the CPU
 * time of those and of the whole machine, read from Linux's /proc: the broker answers for itself
 * over IPC, the others cannot. Without /proc every reading is undefined and the load run says so.
 */
export interface ProcessCpu {
  pid: number;
  /** user + system CPU seconds so far */
  seconds: number;
}

const clockTicks = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Stat {
  pid: number;
  ppid: number;
  /** its own user + system time */
  seconds: number;
  /** that of its children that ended and were waited for */
  reaped: number;
}

const statOf = (pid: number): Stat | undefined => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; the fields after it are fixed.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]);
    const reapedTicks = Number(fields[13]) + Number(fields[14]);
    return { pid, ppid, seconds: ticks / clockTicks, reaped: reapedTicks / clockTicks };
  } catch {
    return undefined;
  }
};

const commandLineOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
};

/** Every live descendant of `root`, or none where there is no /proc. */
const descendantsOf = (root: number): Stat[] => {
  let stats: Stat[];
  try {
    stats = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .flatMap((name) => statOf(Number(name)) ?? []);
  } catch {
    return [];
  }
  const parents = new Map(stats.map((stat) => [stat.pid, stat.ppid]));
  const descends = (pid: number): boolean => {
    for (let parent = parents.get(pid); parent !== undefined && parent > 1; parent = parents.get(parent)) {
      if (parent === root) return true;
    }
    return false;
  };
  return stats.filter((stat) => descends(stat.pid));
};

/** This process's descendants whose command line contains `marker`. */
const descendantsMatching = (root: number, marker: string): number[] =>
  descendantsOf(root)
    .map((stat) => stat.pid)
    .filter((pid) => commandLineOf(pid).includes(marker));

/**
 * CPU seconds of every process this one started, directly or not (the broker, MockPass, the JVM,
 * tsx's esbuild services), and of those that ended and were waited for.
 */
export const descendantsCpuSeconds = (): number | undefined => {
  const own = statOf(process.pid);
  if (!own) return undefined;
  return descendantsOf(process.pid).reduce((total, stat) => total + stat.seconds + stat.reaped, own.reaped);
};

/** The processes to watch, found once the stack is up: `undefined` where none was found. */
export interface WatchedProcesses {
  broker: number | undefined;
  mockpass: number | undefined;
  dynamodb: number | undefined;
}

export const findStackProcesses = (): WatchedProcesses => ({
  broker: descendantsMatching(process.pid, 'local/start.ts')[0],
  mockpass: descendantsMatching(process.pid, 'mockpass-server')[0],
  dynamodb: descendantsMatching(process.pid, 'DynamoDBLocal')[0],
});

export const cpuSecondsOf = (pid: number | undefined): number | undefined =>
  pid === undefined ? undefined : statOf(pid)?.seconds;

/** The whole machine's busy and total CPU seconds so far (all cores), from /proc/stat. */
export const machineCpu = (): { busy: number; total: number } | undefined => {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busy: (total - idle) / clockTicks, total: total / clockTicks };
  } catch {
    return undefined;
  }
};
