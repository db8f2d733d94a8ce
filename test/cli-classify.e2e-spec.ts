import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './harness/cli';
import { fixturesDir } from './harness/test-env';

interface Expected {
  probabilities: number[];
  label: string;
  argmax: number;
  pixel_values_sha256: string;
}

/** The model card's one-off check, in-process through the worker's code path (no Redis, no S3). */
describe('dermafleet classify and preprocess on the reference fixtures', () => {
  const model = join(fixturesDir, 'model');
  let expected: Record<string, Expected>;
  let scratch: string;

  beforeAll(async () => {
    expected = JSON.parse(await readFile(join(fixturesDir, 'expected.json'), 'utf8'));
    scratch = await mkdtemp(join(tmpdir(), 'df-cli-'));
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  it('prints the reference probabilities (within 1e-4) as one JSON result per line', async () => {
    const names = Object.keys(expected);
    const run = await runCli([
      'classify',
      '--model',
      model,
      '--json',
      ...names.map((n) => join(fixturesDir, 'images', n)),
    ]);
    expect(run.code).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(names.length);
    names.forEach((name, i) => {
      const line = lines[i] as {
        filename: string;
        label: string;
        probabilities: Array<{ probability: number }>;
        model: unknown;
        preprocessing: unknown;
        cached: boolean;
      };
      expect(line.filename.endsWith(name)).toBe(true);
      const diffs = line.probabilities.map((p, k) =>
        Math.abs(p.probability - expected[name].probabilities[k]),
      );
      console.log(`${name}: max |p - reference| = ${Math.max(...diffs).toExponential(2)}`);
      expect(Math.max(...diffs)).toBeLessThan(1e-4);
      expect(line.label).toBe(expected[name].label);
      expect(line.preprocessing).toEqual({ mode: 'exact', auto_orient: false });
      expect(line.cached).toBe(false);
    });
  });

  it('reports a file that is not an image on one line, exits 1, and still classifies the others', async () => {
    const notImage = join(scratch, 'notes.txt');
    await writeFile(notImage, 'not an image');
    const good = join(fixturesDir, 'images', 'grey_300x400.jpg');
    const run = await runCli(['classify', '--model', model, '--json', notImage, good]);
    expect(run.code).toBe(1);
    const [bad, ok] = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(bad).toEqual({
      filename: notImage,
      error: { code: 'invalid_image', message: expect.any(String) },
    });
    expect(ok.label).toBe(expected['grey_300x400.jpg'].label);
    expect(run.stderr).toContain('notes.txt');
  });

  it('uses the demo model without --model and says so on stderr', async () => {
    const run = await runCli(['classify', join(fixturesDir, 'images', 'grey_300x400.jpg')], { cwd: scratch });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/DEMO model/);
    expect(run.stdout).toMatch(/^FILE\s+LABEL\s+CONFIDENCE/);
  });

  it('writes the exact pixel_values tensor: sha256 equal to the reference for every fixture image', async () => {
    for (const name of Object.keys(expected)) {
      const out = join(scratch, `${name}.f32`);
      const run = await runCli([
        'preprocess',
        '--model',
        model,
        join(fixturesDir, 'images', name),
        '--out',
        out,
        '--png',
        `${out}.png`,
      ]);
      expect(run.code).toBe(0);
      const sha = createHash('sha256')
        .update(await readFile(out))
        .digest('hex');
      expect({ name, sha }).toEqual({ name, sha: expected[name].pixel_values_sha256 });
      expect((await readFile(`${out}.png`)).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('preprocess --out-dir: many images in one process, DIR/<file name>.f32 each, same bytes as --out', async () => {
    const names = Object.keys(expected);
    const outDir = join(scratch, 'out-dir');
    const damaged = join(fixturesDir, 'damaged', 'grey_300x400-burst1.jpg'); // the reference refuses it
    const run = await runCli([
      'preprocess',
      '--model',
      model,
      ...names.map((n) => join(fixturesDir, 'images', n)),
      damaged,
      '--out-dir',
      outDir,
    ]);
    expect(run.code).toBe(1); // one file failed, the others were written
    expect(run.stderr).toMatch(/grey_300x400-burst1\.jpg: invalid_image/);
    for (const name of names) {
      const sha = createHash('sha256')
        .update(await readFile(join(outDir, `${name}.f32`)))
        .digest('hex');
      expect({ name, sha }).toEqual({ name, sha: expected[name].pixel_values_sha256 });
    }
    const usage = await runCli([
      'preprocess',
      '--model',
      model,
      join(fixturesDir, 'images', names[0]),
      names[0],
    ]);
    expect(usage.code).toBe(2); // neither --out nor --out-dir
  });
});
