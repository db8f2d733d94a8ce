import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_NODE_FLAGS } from '../../apps/cli/src/cli-node-flags';
import { REPO_ROOT } from './support/kustomize.render';

const BIN = join(REPO_ROOT, 'bin/dermafleet.js');

/**
 * What a process started as `dermafleet` runs with: a script preloaded through NODE_OPTIONS
 * reports node's flags and the young generation's size after ~100 MB of short-lived objects
 * (some kept a while, as `submit`'s requests are), then exits before the CLI itself loads (so
 * dist/ need not be built). `command` is run as a program: the kernel reads its #! line.
 */
function startedAs(command: string): { execArgv: string[]; youngGenerationMiB: number } {
  const dir = mkdtempSync(join(tmpdir(), 'dermafleet-cli-flags-'));
  try {
    const probe = join(dir, 'probe.js');
    writeFileSync(
      probe,
      `const v8 = require('node:v8');
let kept = [];
for (let i = 0; i < 2e6; i++) { kept.push({ i, name: 'file-' + i }); if (kept.length > 20000) kept = []; }
const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
process.stdout.write(JSON.stringify({ execArgv: process.execArgv, youngGenerationMiB: young.space_size / 1048576 }));
process.exit(0);
`,
    );
    const out = execFileSync(command, ['--help'], {
      env: { ...process.env, NODE_OPTIONS: `--require ${probe}` },
      encoding: 'utf8',
    });
    return JSON.parse(out) as { execArgv: string[]; youngGenerationMiB: number };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the Node flags the dermafleet command runs with', () => {
  it("are the bin's #! line", () => {
    const [first] = readFileSync(BIN, 'utf8').split('\n');
    expect(first).toBe(`#!/usr/bin/env -S node ${CLI_NODE_FLAGS.join(' ')}`);
  });

  it('reach node when the bin is run as a program, and cap the young generation', () => {
    const started = startedAs(BIN);
    expect(started.execArgv).toEqual([...CLI_NODE_FLAGS]);
    // Two semi-spaces of 4 MiB at most; V8's default lets them grow to 16 MiB each (32 in all).
    expect(started.youngGenerationMiB).toBeLessThanOrEqual(8);
  });

  it('reach node through a link to the bin, as the image puts `dermafleet` on the PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dermafleet-cli-link-'));
    try {
      const link = join(dir, 'dermafleet');
      symlinkSync(BIN, link);
      expect(startedAs(link).execArgv).toEqual([...CLI_NODE_FLAGS]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the CPU image links the bin onto the PATH', () => {
    const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^RUN ln -s \/app\/bin\/dermafleet\.js \/usr\/local\/bin\/dermafleet$/m);
  });
});
