import { CLI_NODE_FLAGS } from '../../apps/cli/src/cli-node-flags';

/**
 * The Node flags a bench starts the CLI with: the ones `dermafleet` runs with (CLI_NODE_FLAGS,
 * from its bin's #! line), or BENCH_CLI_NODE_FLAGS instead (space-separated; empty for V8's
 * defaults), to compare heap settings. Flags, not NODE_OPTIONS: node's command line overrides
 * NODE_OPTIONS, so an option there could not undo the bin's.
 */
export function cliNodeArgs(): string[] {
  const chosen = process.env.BENCH_CLI_NODE_FLAGS;
  return chosen === undefined ? [...CLI_NODE_FLAGS] : chosen.split(/\s+/).filter(Boolean);
}
