import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

/**
 * A full collection of this thread's V8 heap, for the few places that know garbage is piling up
 * faster than V8 will look (a preprocessing thread after a large decode, `submit` every ~250
 * files). `gc` is reached without a command-line flag (a worker thread's execArgv cannot carry V8
 * flags, and the CLI is run as `dermafleet`, not `node --expose-gc`): the flag is set at run time
 * and `gc` read from a fresh context, once per thread. No dependencies: the CLI's `submit`
 * imports it without loading sharp or onnxruntime.
 */
export function collectGarbage(): void {
  if (!collect) {
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as () => void;
  }
  collect();
}
