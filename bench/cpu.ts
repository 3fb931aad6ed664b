// CPU time of a process tree, per thread, from /proc. On two cores a thread of the proxy
// competes with wrk and the upstream for CPU, so throughput alone hides where the time went:
// the main thread (the event loop) and the other threads (worker threads, libuv's pool, V8's
// helpers) are read apart.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { processTree } from './processes.js';

let ticksPerSecond: number | undefined;
/** USER_HZ, the unit of utime and stime in /proc/<pid>/stat (100 on Linux almost always). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond !== undefined) return ticksPerSecond;
  const result = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 });
  const value = Number(result.stdout?.trim());
  ticksPerSecond = Number.isInteger(value) && value > 0 ? value : 100;
  return ticksPerSecond;
}

/** utime + stime in clock ticks from a /proc stat line; the command name may hold spaces and parentheses. */
export function statTicks(stat: string): number {
  // After "pid (comm) ": state is field 0, utime and stime fields 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function readTicks(file: string): number | undefined {
  try {
    return statTicks(readFileSync(file, 'utf8'));
  } catch {
    return undefined; // the thread or process has exited
  }
}

/** Ticks per thread, keyed "pid/tid", and which of them are main threads (tid == pid). */
export interface ThreadTicks {
  readonly ticks: ReadonlyMap<string, number>;
  readonly main: ReadonlySet<string>;
}

/** Every thread of the process and of its direct children (nginx's workers). */
export function readThreadTicks(pid: number): ThreadTicks {
  const ticks = new Map<string, number>();
  const main = new Set<string>();
  for (const p of processTree(pid)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      const value = readTicks(`/proc/${p}/task/${tid}/stat`);
      if (value === undefined) continue;
      const key = `${p}/${tid}`;
      ticks.set(key, value);
      if (tid === String(p)) main.add(key);
    }
  }
  return { ticks, main };
}

export interface CpuSplit {
  /** CPU seconds of the main threads (the event loop; for nginx, master and worker together). */
  readonly mainS: number;
  /** CPU seconds of every other thread. A thread that exited between the two readings is lost. */
  readonly otherS: number;
}

/** CPU used between two readings; a thread that appeared in between counts from zero. */
export function cpuBetween(before: ThreadTicks, after: ThreadTicks): CpuSplit {
  let main = 0;
  let other = 0;
  for (const [key, value] of after.ticks) {
    const used = value - (before.ticks.get(key) ?? 0);
    if (after.main.has(key)) main += used;
    else other += used;
  }
  const hz = clockTicksPerSecond();
  return { mainS: main / hz, otherS: other / hz };
}

/** Starts measuring a process tree's CPU; the returned function ends it. */
export function startCpu(pid: number): () => CpuSplit {
  const before = readThreadTicks(pid);
  return () => cpuBetween(before, readThreadTicks(pid));
}
