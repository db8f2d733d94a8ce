import { join } from 'node:path';
import { CLI_NODE_FLAGS } from '../../apps/cli/src/cli-node-flags';
import { repoRoot } from './bench-infra';

/**
 * Node's arguments (after `process.execPath`) for `dermafleet <args...>` as a user's `npx
 * dermafleet` runs it: the package's bin with the Node flags its #! line carries (CLI_NODE_FLAGS),
 * or BENCH_CLI_NODE_FLAGS instead (space-separated; empty for V8's defaults), to compare heap
 * settings. Flags, not NODE_OPTIONS: node's command line overrides NODE_OPTIONS, so an option
 * there could not undo the bin's. The bin runs dist/ (built by the benches first).
 */
export function cliArgs(args: readonly string[]): string[] {
  const chosen = process.env.BENCH_CLI_NODE_FLAGS;
  const flags = chosen === undefined ? CLI_NODE_FLAGS : chosen.split(/\s+/).filter(Boolean);
  return [...flags, join(repoRoot, 'bin/dermafleet.js'), ...args];
}
