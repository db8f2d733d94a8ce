import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ensureDemoModel } from '../../apps/cli/src/local/demo-model.location';
import { makeSizeClasses, type SizeClass } from './pil-ratio.images';

/**
 * Exact preprocessing against the reference (issue 12), per size class, in one run: dermafleet's
 * `preprocess --out-dir` and the reference (Debian's /usr/bin/python3 + Pillow + numpy,
 * pil_reference.py) on the same JPEGs, both pinned to the same single core (taskset), timed from
 * outside. Process start-up cancels out: each side runs once with one file and once with all of
 * a class, and the per-image time is the difference over the extra files. Rounds alternate the
 * two sides; medians are reported. Both sides' tensors are compared byte for byte.
 *
 *   npx tsx bench/preprocess/pil-ratio.bench.ts [rounds]
 */
const repoRoot = resolve(__dirname, '..', '..');
const python = '/usr/bin/python3';

export interface PilRatioRow {
  sizeClass: string;
  images: number;
  dermafleetMs: number;
  referenceMs: number;
  /** dermafleet time / reference time per image: at most 1.0 is the target */
  ratio: number;
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

function timeRun(cmd: string[]): number {
  const [bin, ...args] = pinned(cmd);
  const start = process.hrtime.bigint();
  const run = spawnSync(bin, args, {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, UV_THREADPOOL_SIZE: '1' },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0)
    throw new Error(`${cmd.slice(0, 3).join(' ')} failed (${run.status}): ${run.stderr.slice(-2000)}`);
  return ms;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
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
      join(repoRoot, 'bin/dermafleet.js'),
      'preprocess',
      '--model',
      modelDir,
      ...files,
      '--out-dir',
      join(out, 'dermafleet'),
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
  const per = { dermafleet: [] as number[], reference: [] as number[] };
  for (let r = 0; r < rounds; r++) {
    for (const side of r % 2
      ? (['reference', 'dermafleet'] as const)
      : (['dermafleet', 'reference'] as const)) {
      const one = timeRun(cmd[side](c.files.slice(0, 1)));
      const all = timeRun(cmd[side](c.files));
      per[side].push((all - one) / (c.files.length - 1));
    }
  }
  const dermafleetMs = median(per.dermafleet);
  const referenceMs = median(per.reference);
  return {
    sizeClass: c.name,
    images: c.files.length,
    dermafleetMs,
    referenceMs,
    ratio: dermafleetMs / referenceMs,
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
  if (!existsSync(join(repoRoot, 'dist/apps/cli/src/main.js'))) throw new Error('run `npm run build` first');
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
    `exact preprocessing vs reference (Pillow + numpy), ms per image, median of ${result.rounds} rounds, ${result.core}`,
    `${result.machine}`,
    'size class                 images  dermafleet  reference  ratio  identical',
  ];
  for (const r of result.rows) {
    lines.push(
      `${r.sizeClass.padEnd(26)}${String(r.images).padStart(6)}${r.dermafleetMs.toFixed(2).padStart(12)}${r.referenceMs
        .toFixed(2)
        .padStart(11)}${r.ratio.toFixed(2).padStart(7)}  ${r.identical ? 'yes' : 'NO'}`,
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
