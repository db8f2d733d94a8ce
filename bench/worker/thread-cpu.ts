import { readdirSync, readFileSync } from 'node:fs';
import { SCHED_IDLE } from '../../libs/inference/src/threads/thread-priority';

const CLOCK_TICKS = 100; // /proc's unit on practically every Linux (getconf CLK_TCK)

export interface ThreadCpu {
  tid: number;
  nice: number;
  /** Put below the session's threads by the worker: at a nice value above 0, or SCHED_IDLE. */
  lowered: boolean;
  seconds: number;
}

/** CPU seconds, nice value and priority of every thread of a process now (Linux /proc). */
export function threadCpu(pid: number): ThreadCpu[] {
  const out: ThreadCpu[] = [];
  for (const tid of readdirSync(`/proc/${pid}/task`).map(Number)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, nice, policy: fields 14, 15, 19 and 41 of stat(5), counted from the state (field 3).
      const nice = Number(f[16]);
      const lowered = nice > 0 || Number(f[38]) === SCHED_IDLE;
      out.push({ tid, nice, lowered, seconds: (Number(f[11]) + Number(f[12])) / CLOCK_TICKS });
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

/** Per-thread CPU used between two snapshots (threads that started meanwhile count from zero). */
export function threadCpuDelta(before: ThreadCpu[], after: ThreadCpu[]): ThreadCpu[] {
  const start = new Map(before.map((t) => [t.tid, t.seconds]));
  return after.map((t) => ({ ...t, seconds: t.seconds - (start.get(t.tid) ?? 0) }));
}
