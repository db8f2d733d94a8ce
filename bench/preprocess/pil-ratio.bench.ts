import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ensureDemoModel } from '../../apps/cli/src/local/demo-model.location';
import { buildApps, repoRoot } from '../support/bench-infra';
import { cliArgs } from '../support/cli-command';
import { makeSizeClasses, type SizeClass } from './pil-ratio.images';
import { median } from '../support/median';

/**
 * Exact preprocessing against the reference (issue 12), per size class, in one run: dermafleet's
 * `preprocess --out-dir` and the reference (Debian's /usr/bin/python3 + Pillow + numpy,
 * pil_reference.py) on the same JPEGs, both pinned to the same single core (taskset), timed from
 * outside. Process start-up cancels out: each side runs once with one file and once with all of
 * a class, and the per-image time is the difference over the extra files. Rounds alternate the
 * two sides; medians are reported. Both sides' tensors are compared byte for byte.
 * Two clocks: CPU time (user + system of the child, from GNU time), which a busy shared machine
 * disturbs least, and wall time.
 *
 *   npx tsx bench/preprocess/pil-ratio.bench.ts [rounds]
 */
const python = '/usr/bin/python3';

export interface PilRatioRow {
  sizeClass: string;
  images: number;
  /** CPU ms per image */
  dermafleetMs: number;
  referenceMs: number;
  /** dermafleet CPU time / reference CPU time per image: at most 1.0 is the target */
  ratio: number;
  /** the same on wall-clock time */
  wallRatio: number;
  identical: boolean;
}

export interface PilRatioResult {
  rows: PilRatioRow[];
  rounds: number;
  core: string;
  machine: string;
}

function pinned(cmd: string[]): string[] {
  return existsSync('/usr/bin/taskset') ? ['/usr/bin/taskset', '-c', String(pinnedCore()), ...cmd] : cmd;
}

/** The core both sides run on: the last one (the first often takes more interrupts). */
function pinnedCore(): number {
  return cpus().length - 1;
}

const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

interface Timing {
  wall: number;
  cpu: number;
}

/** One run of a command: wall ms, and CPU ms (user + system) when GNU time is there. */
function timeRun(cmd: string[]): Timing {
  const scratch = mkdtempSync(join(tmpdir(), 'pil-ratio-time-'));
  const timeFile = join(scratch, 'time');
  const [bin, ...args] = pinned(gnuTime ? [gnuTime, '-o', timeFile, '-f', '%U %S', ...cmd] : cmd);
  const start = process.hrtime.bigint();
  const run = spawnSync(bin, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0)
    throw new Error(`${cmd.slice(0, 3).join(' ')} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  let cpu = wall;
  if (gnuTime) {
    const [user, system] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
    cpu = (user + system) * 1000;
  }
  rmSync(scratch, { recursive: true, force: true });
  return { wall, cpu };
}

function sameOutputs(files: string[], a: string, b: string): boolean {
  return files.every((f) => {
    const name = `${basename(f)}.f32`;
    return readFileSync(join(a, name)).equals(readFileSync(join(b, name)));
  });
}

function commands(modelDir: string, out: string) {
  return {
    dermafleet: (files: string[]) => [
      process.execPath,
      ...cliArgs(['preprocess', '--model', modelDir, ...files, '--out-dir', join(out, 'dermafleet')]),
    ],
    reference: (files: string[]) => [
      python,
      join(__dirname, 'pil_reference.py'),
      '--model',
      modelDir,
      '--out-dir',
      join(out, 'reference'),
      ...files,
    ],
  };
}

function measureClass(c: SizeClass, modelDir: string, out: string, rounds: number): PilRatioRow {
  const cmd = commands(modelDir, out);
  const cpu = { dermafleet: [] as number[], reference: [] as number[] };
  const wall = { dermafleet: [] as number[], reference: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? (['reference', 'dermafleet'] as const) : (['dermafleet', 'reference'] as const);
    for (const side of order) {
      const one = timeRun(cmd[side](c.files.slice(0, 1)));
      const all = timeRun(cmd[side](c.files));
      cpu[side].push((all.cpu - one.cpu) / (c.files.length - 1));
      wall[side].push((all.wall - one.wall) / (c.files.length - 1));
    }
  }
  const dermafleetMs = median(cpu.dermafleet);
  const referenceMs = median(cpu.reference);
  return {
    sizeClass: c.name,
    images: c.files.length,
    dermafleetMs,
    referenceMs,
    ratio: dermafleetMs / referenceMs,
    wallRatio: median(wall.dermafleet) / median(wall.reference),
    identical: sameOutputs(c.files, join(out, 'dermafleet'), join(out, 'reference')),
  };
}

export async function runPilRatioBench(rounds = 3): Promise<PilRatioResult | null> {
  const check = spawnSync(python, ['-c', 'import PIL, numpy'], { encoding: 'utf8' });
  if (check.status !== 0) {
    console.error(
      `[bench] ${python} with Pillow and numpy not found (apt-get install python3-pil python3-numpy): skipped`,
    );
    return null;
  }
  buildApps(); // the CLI runs from dist/: time what the sources say now
  const shared = resolve(repoRoot, '../shared/fixtures/model');
  const modelDir = existsSync(shared) ? shared : (await ensureDemoModel('tiny', repoRoot)).dir;
  const out = join(tmpdir(), 'dermafleet-pil-ratio');
  rmSync(out, { recursive: true, force: true });
  const classes = await makeSizeClasses(join(out, 'images'));
  const rows = classes.map((c) => measureClass(c, modelDir, out, rounds));
  return {
    rows,
    rounds,
    core: existsSync('/usr/bin/taskset') ? `both pinned to core ${pinnedCore()}` : 'not pinned (no taskset)',
    machine: `${cpus().length} x ${cpus()[0]?.model.trim()}, load ${loadavg()[0].toFixed(2)} at the end`,
  };
}

export function formatPilRatio(result: PilRatioResult): string {
  const lines = [
    `exact preprocessing vs reference (Pillow + numpy): CPU ms per image, median of ${result.rounds} rounds, ${result.core}`,
    `${result.machine}`,
    'size class                 images  dermafleet  reference  ratio  wall ratio  identical',
  ];
  const f = (v: number, w: number) => v.toFixed(2).padStart(w);
  for (const r of result.rows) {
    lines.push(
      `${r.sizeClass.padEnd(26)}${String(r.images).padStart(6)}${f(r.dermafleetMs, 12)}${f(r.referenceMs, 11)}${f(r.ratio, 7)}${f(r.wallRatio, 12)}  ${r.identical ? 'yes' : 'NO'}`,
    );
  }
  return lines.join('\n');
}

if (require.main === module) {
  runPilRatioBench(Number(process.argv[2]) || 3).then(
    (result) => result && console.log(formatPilRatio(result)),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
