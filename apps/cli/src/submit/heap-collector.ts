import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full collection of the CLI's heap, run about every 250 files (DirectUploader). Why: what a file costs while it waits
 * in a group (up to two groups of 1,000 in flight, often seconds) outlives V8's young generation,
 * so it dies in old space, which V8 collects only when the space reaches a limit that itself grows
 * with the run: `submit`'s peak RSS rose with the archive's size (123 MiB at 1,000 files, 156 at
 * 5,000, 191 at 100,000) although what it holds is bounded. Collecting every 250 files or so keeps the
 * heap near that window, for a few ms of CPU each time (~0.02 ms per file next to ~1.5).
 * `gc` is reached without a command-line flag (the bin is run as `dermafleet`, not `node
 * --expose-gc`): the flag is set at run time and `gc` read from a fresh context.
 */
let collect: (() => void) | undefined;

export function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
