import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a worker_threads script lives and how to start it. Compiled (dist/) it is the `.js`
 * sibling; from TypeScript sources (jest, tsx, benchmarks) it is the `.ts` file, loaded through
 * tsx's CommonJS hook preloaded in the thread (`--import tsx` does not reach worker threads on
 * Node 20: its ESM hooks stay in the parent). tsx is a dev dependency: production runs dist.
 */
export function threadScript(dir: string, baseName: string): { filename: string; execArgv: string[] } {
  const js = join(dir, `${baseName}.js`);
  if (existsSync(js)) return { filename: js, execArgv: [] };
  const ts = join(dir, `${baseName}.ts`);
  if (existsSync(ts)) return { filename: ts, execArgv: ['--require', require.resolve('tsx/cjs')] };
  throw new Error(`Thread script ${baseName} not found in ${dir}; run "npm run build".`);
}
