import { readdirSync, readlinkSync } from 'node:fs';
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

/** Every thread of this process now. */
export function processThreadIds(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [];
  }
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
