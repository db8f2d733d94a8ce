import type { FinalStateListener } from './final-state.listener';

/**
 * Holds until `done(read())` holds, `waitMs` has passed, or `signal` aborts (the client went away),
 * and returns the last read (null when the subject is unknown). It listens for the subject's id
 * first and reads after, so a change between the two is seen by the read and a later one is
 * heard: no window in which the answer is missed. It reads again only when woken (the
 * notification, the deadline, a reconnect), never in a loop of its own.
 */
export async function holdUntil<T>(
  listener: FinalStateListener,
  id: string,
  waitMs: number,
  signal: AbortSignal,
  read: () => Promise<T | null>,
  done: (value: T) => boolean,
): Promise<T | null> {
  const deadline = Date.now() + waitMs;
  let wake: () => void = () => undefined;
  let woken = false;
  const unlisten = listener.listen(id, () => {
    woken = true;
    wake();
  });
  const onAbort = (): void => wake();
  signal.addEventListener('abort', onAbort);
  let timer: NodeJS.Timeout | undefined;
  try {
    let value = await read();
    while (value !== null && !done(value) && !signal.aborted && !listener.isClosing) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      if (!woken) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, left);
        });
        clearTimeout(timer);
      }
      woken = false;
      if (signal.aborted) break; // nobody to answer
      value = await read();
    }
    return value;
  } finally {
    clearTimeout(timer);
    unlisten();
    signal.removeEventListener('abort', onAbort);
  }
}
