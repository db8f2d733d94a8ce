import { SCHED_IDLE, threadStats } from '../../libs/inference/src/threads/thread-priority';

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
  return threadStats(pid).map(({ tid, nice, policy, cpuTicks }) => ({
    tid,
    nice,
    lowered: nice > 0 || policy === SCHED_IDLE,
    seconds: cpuTicks / CLOCK_TICKS,
  }));
}

/** Per-thread CPU used between two snapshots (threads that started meanwhile count from zero). */
export function threadCpuDelta(before: ThreadCpu[], after: ThreadCpu[]): ThreadCpu[] {
  const start = new Map(before.map((t) => [t.tid, t.seconds]));
  return after.map((t) => ({ ...t, seconds: t.seconds - (start.get(t.tid) ?? 0) }));
}
