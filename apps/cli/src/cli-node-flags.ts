/**
 * Node flags the `dermafleet` command starts with: the package's bin (`bin/dermafleet.js`, whose
 * `#!/usr/bin/env -S node ...` line carries them, so `npx dermafleet` and the image's `dermafleet`
 * get them) and the benchmarks that time the CLI as a user runs it
 * (test/deploy/cli-node-flags.spec.ts checks the bin).
 *
 * --max-semi-space-size=4: V8's young generation is two semi-spaces that grow to 16 MiB each
 * under a steady allocation rate, as `submit`'s is (a request and a hash per file), and then stay
 * committed: 32 MiB of RSS that holds nothing long-lived, and whose growth, or not, within a run
 * made one run's peak RSS differ from another's by ±5 MiB. Capped at 4 MiB each, the CLI's peak
 * RSS while submitting fell from 114-116 to 97-98 MiB at 1,000 files and from 116-121 to 95-99 at
 * 10,000 (`BENCH_CLI_NODE_FLAGS=... npx tsx bench/submit/submit.bench.ts --count N --no-drain`,
 * two runs each, 2026-11-28; 95 MiB at 100,000 in `npm run bench`), with the same CPU per file
 * (1.8-2.5 ms either way): what `submit` allocates per file dies young, so more frequent
 * scavenges find little to copy.
 *
 * V8 sizes the young generation when the isolate is created: v8.setFlagsFromString after start-up
 * leaves it as it was, so the flag has to be on the command line (or in NODE_OPTIONS).
 */
export const CLI_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];
