import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Linux thread ids (TIDs) and per-thread nice values. On Linux the nice value is an attribute of
 * each thread (setpriority(2) on a TID changes that thread only), and a new thread inherits its
 * creator's. Elsewhere these functions do nothing and say so by returning empty results.
 */

/** This thread's TID (the process id on the main thread), or undefined off Linux. */
export function currentThreadId(): number | undefined {
  try {
    return Number(readlinkSync('/proc/thread-self').split('/').pop());
  } catch {
    return undefined;
  }
}

/** Every thread of a process now (this one by default); none off Linux. */
export function processThreadIds(pid: number | 'self' = 'self'): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number);
  } catch {
    return [];
  }
}

/** The threads of this process now: what threadsStartedSince compares against. */
export function threadMark(): ReadonlySet<number> {
  return new Set(processThreadIds());
}

/** The threads that appeared since `mark` was taken (a pool just started, say). */
export function threadsStartedSince(mark: ReadonlySet<number>): number[] {
  return processThreadIds().filter((tid) => !mark.has(tid));
}

/**
 * Lowers to `nice` every thread of the process except `keep` (a thread already at that nice
 * value or lower in priority is left as it is). Threads created afterwards by a lowered thread
 * inherit its value. Returns how many threads were lowered.
 */
export function lowerThreadsExcept(keep: ReadonlySet<number>, nice: number): number {
  let lowered = 0;
  for (const tid of processThreadIds()) {
    if (keep.has(tid)) continue;
    try {
      if (getPriority(tid) >= nice) continue;
      setPriority(tid, nice);
      lowered++;
    } catch {
      // the thread ended meanwhile, or we may not change it: nothing to protect then
    }
  }
  return lowered;
}

/** Linux scheduling policies (sched(7)) as /proc/<pid>/task/<tid>/stat reports them. */
export const SCHED_OTHER = 0;
export const SCHED_IDLE = 5;

/** One thread's scheduling state and CPU use, from /proc/<pid>/task/<tid>/stat (stat(5)). */
export interface ThreadStat {
  tid: number;
  nice: number;
  /** SCHED_OTHER, SCHED_IDLE, ... */
  policy: number;
  /** User and system CPU time, in clock ticks (USER_HZ, 100 on practically every Linux). */
  cpuTicks: number;
}

/** A thread's state now, or undefined if it has ended (or off Linux). */
export function readThreadStat(tid: number, pid: number | 'self' = 'self'): ThreadStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // The fields after the command's closing parenthesis start at field 3 (the state): utime,
    // stime, nice and policy are fields 14, 15, 19 and 41.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { tid, nice: Number(f[16]), policy: Number(f[38]), cpuTicks: Number(f[11]) + Number(f[12]) };
  } catch {
    return undefined;
  }
}

/** Every thread of a process now (those that end meanwhile left out; none off Linux). */
export function threadStats(pid: number | 'self' = 'self'): ThreadStat[] {
  return processThreadIds(pid)
    .map((tid) => readThreadStat(tid, pid))
    .filter((t): t is ThreadStat => t !== undefined);
}

/** A thread's scheduling policy, or undefined if it has ended. */
export function threadPolicy(tid: number, pid: number | 'self' = 'self'): number | undefined {
  return readThreadStat(tid, pid)?.policy;
}

/** chrt (util-linux) could not be run: the caller falls back to nice values. */
export class SchedIdleUnavailableError extends Error {}

/**
 * Moves every thread of the process except `keep` to SCHED_IDLE (Linux), and returns how many:
 * such a thread runs only when no normal thread of its group wants the core, and a normal thread
 * that wakes takes the core from it at once. A nice value cannot give that: under EEVDF (Linux
 * 6.6 on), a nice-10 thread that got a core keeps it for its time slice when a higher-priority
 * thread wakes, so a session thread woken at an operator's barrier waited for a decoder's slice
 * (see docs/PIPELINE_COSTS.md). Threads created afterwards by a moved thread are SCHED_IDLE too.
 * Node has no binding for sched_setscheduler(2), and a native addon would need a compiler or
 * prebuilt binaries at install; util-linux's chrt makes the call (util-linux is an essential
 * package of every Debian and Ubuntu image, ours included). Moving a thread there needs no
 * privilege; moving it back needs CAP_SYS_NICE (or an RLIMIT_NICE above the default), so this is
 * for a process's entry point only.
 * Throws SchedIdleUnavailableError when chrt cannot be run or moved no thread.
 */
export function idleThreadsExcept(keep: ReadonlySet<number>): number {
  let moved = 0;
  let refused = '';
  for (const tid of processThreadIds()) {
    if (keep.has(tid) || threadPolicy(tid) === SCHED_IDLE) continue;
    try {
      execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 5_000,
      });
      moved++;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') {
        throw new SchedIdleUnavailableError(`chrt (util-linux) cannot be run: ${(err as Error).message}`);
      }
      // The thread ended meanwhile, or may not be moved (a seccomp profile refusing the call).
      const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
      refused ||= stderr || (err as Error).message;
    }
  }
  // Not one moved (every call refused): say so, so that the caller can use nice values instead.
  if (moved === 0 && refused) throw new SchedIdleUnavailableError(`chrt could not move a thread: ${refused}`);
  return moved;
}
