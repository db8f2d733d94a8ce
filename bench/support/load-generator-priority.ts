import { setPriority } from 'node:os';
import { lowerThreadsExcept, processThreadIds } from '../../libs/inference/src/threads/thread-priority';

/** Nice value of the processes that stand in for other machines (clients, API, S3) in a run. */
export const ELSEWHERE_NICE = 10;

/**
 * Runs `body` with every thread of this process (the S3 server and the uploading client) at
 * ELSEWHERE_NICE, then back at 0 so the raw ceiling measured here afterwards runs at full priority.
 * In production they are other machines; here they share the worker's two cores, and at equal
 * priority each of their milliseconds would stall the session's barrier-synchronised threads.
 */
export async function asElsewhere<T>(body: () => Promise<T>): Promise<T> {
  lowerThreadsExcept(new Set(), ELSEWHERE_NICE);
  let result: T;
  try {
    result = await body();
  } catch (err) {
    restorePriority();
    throw err;
  }
  restorePriority();
  return result;
}

function restorePriority(): void {
  for (const tid of processThreadIds()) {
    try {
      setPriority(tid, 0); // raising priority back needs CAP_SYS_NICE; the bench runs as root here
    } catch (err) {
      // The raw ceiling measured next would run at nice 10 and read low: refuse to go on.
      throw new Error(
        `Cannot restore this process's priority (${(err as Error).message}); run the bench as root.`,
      );
    }
  }
}
