import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { type Archive, writeArchive } from './harness/archive-fixture';
import { runCli } from './harness/cli';
import { type PutCounter, startPutCounter } from './harness/s3-put-counter';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { infra, uniquePrefix } from './harness/test-env';

const repoRoot = join(__dirname, '..');
const KEY = 'key-of-archive-team-1234';

interface PredictionLine {
  id: string;
  filename: string;
  status: string;
  metadata: Record<string, unknown>;
  image: { sha256: string };
  result: { cached: boolean } | null;
  error: { code: string } | null;
}

/**
 * `dermafleet submit` on a hospital-like archive against the real API, worker, Redis and S3: the
 * first run is killed (SIGKILL) half way through its uploads, the second continues it; every
 * image ends up in the batch exactly once, and no object is uploaded twice (counted by a proxy in
 * front of S3, where the presigned URLs point).
 */
describe('dermafleet submit, status and results', () => {
  const prefix = uniquePrefix('clisubmit');
  let api: RunningApp;
  let worker: RunningApp;
  let counter: PutCounter;
  let archive: Archive;
  let work: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    counter = await startPutCounter(infra().s3Endpoint, 15);
    const appEnv = { API_KEYS: `hospital:${KEY}`, S3_PUBLIC_ENDPOINT: counter.url };
    api = await startApi(prefix, appEnv);
    worker = await startWorker(prefix, appEnv);
    work = await mkdtemp(join(infra().scratch, 'cli-submit-'));
    archive = await writeArchive(join(work, 'archive'), 220);
    const manifest = [
      'path,accession,note',
      ...[...archive.accessions].map(([path, acc]) => `${path},${acc},"a, b"`),
    ];
    await writeFile(join(work, 'manifest.csv'), `${manifest.join('\n')}\n`);
    env = { DERMAFLEET_API_URL: api.url, DERMAFLEET_API_KEY: KEY };
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await counter?.close();
  });

  /** Runs `submit` and SIGKILLs it once `killAfter` PUTs have reached S3. */
  function submitKilledAfter(
    killAfter: number,
  ): Promise<{ code: number | null; signal: string | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          '--require',
          require.resolve('tsx/cjs'),
          join(repoRoot, 'apps/cli/src/main.ts'),
          'submit',
          'archive',
          '--manifest',
          'manifest.csv',
          '--concurrency',
          '4',
        ],
        {
          cwd: work,
          env: { ...process.env, TSX_TSCONFIG_PATH: join(repoRoot, 'tsconfig.json'), ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      counter.onPut = (count) => {
        if (count >= killAfter) child.kill('SIGKILL');
      };
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        counter.onPut = null;
        resolve({ code, signal, stderr });
      });
    });
  }

  it('survives a SIGKILL half way, then uploads each image once and completes the batch once', async () => {
    const images = archive.images;
    const unique = new Set(images.map((i) => i.sha256));
    const first = await submitKilledAfter(Math.floor(unique.size / 2));
    expect(first.signal).toBe('SIGKILL');
    const putsAfterKill = counter.successes();
    expect(putsAfterKill).toBeGreaterThanOrEqual(Math.floor(unique.size / 2));
    expect(putsAfterKill).toBeLessThan(unique.size);
    // The state is a journal: a header line, then one line per outcome, a torn last one possible.
    const journal = (await readFile(join(work, '.dermafleet-submit.json'), 'utf8')).split('\n');
    const state = JSON.parse(journal[0]) as { batch_id: string };
    expect(journal).not.toContain('["sealed"]');

    const second = await runCli(['submit', 'archive', '--manifest', 'manifest.csv', '--wait'], {
      cwd: work,
      env,
      timeoutMs: 120_000,
    });
    expect(second.stderr).toContain(`Continuing batch ${state.batch_id}`);
    const stdoutLines = second.stdout.trim().split('\n');
    expect(stdoutLines[stdoutLines.length - 1]).toBe(state.batch_id);
    expect(second.code).toBe(1); // the truncated JPEG failed
    expect(second.stderr).toMatch(/2 not images/);
    expect(second.stderr).toMatch(/1 PDF \(unsupported format\)/);
    expect(second.stderr).toMatch(/1 HEIC \(unsupported format\)/);
    expect(second.stderr).toMatch(/1 empty/);
    expect(second.stderr).toMatch(/3 hidden/);
    expect(second.stderr).toMatch(/3 system files/);
    expect(second.stderr).not.toMatch(/manifest rows named no submitted file/);
    expect(second.stderr).toContain(`dermafleet results ${state.batch_id}`);

    // Every distinct image reached S3 exactly once, across both runs (a path named here was PUT
    // twice: its file was asked for again while the killed run's completion was still verifying).
    expect([...counter.puts].filter(([, n]) => n > 1)).toEqual([]);
    expect(counter.successes()).toBe(unique.size);
    expect(Math.max(...counter.puts.values())).toBe(1);

    const status = await runCli(['status', state.batch_id, '--json'], { cwd: work, env });
    expect(status.code).toBe(1);
    const batch = JSON.parse(status.stdout) as { status: string; counts: Record<string, number> };
    expect(batch.status).toBe('completed');
    expect(batch.counts).toEqual({
      total: images.length,
      queued: 0,
      processing: 0,
      succeeded: images.length - 1,
      failed: 1,
      canceled: 0,
    });

    const csvRun = await runCli(['results', state.batch_id, '-o', 'results.csv'], { cwd: work, env });
    expect(csvRun.code).toBe(1);
    const rows = (await readFile(join(work, 'results.csv'), 'utf8')).split('\r\n').filter(Boolean);
    const header = rows[0].split(',');
    expect(header.length).toBe(5 + 12 + 4 + 4); // ... then the four DICOM identifier columns
    expect(rows).toHaveLength(images.length + 1);
    const filenameAt = header.indexOf('filename');
    const statusAt = header.indexOf('status');
    const errorAt = header.indexOf('error_code');
    const byName = new Map(
      rows
        .slice(1)
        .map((r) => r.split(','))
        .map((cells) => [cells[filenameAt].replace(/^"|"$/g, ''), cells]),
    );
    expect([...byName.keys()].sort()).toEqual(images.map((i) => i.relPath).sort());
    for (const image of images) {
      const cells = byName.get(image.relPath)!;
      expect([cells[statusAt], cells[errorAt]]).toEqual(
        image.corrupt ? ['failed', 'invalid_image'] : ['succeeded', ''],
      );
    }

    const ndjson = await runCli(['results', state.batch_id], { cwd: work, env });
    const predictions = ndjson.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PredictionLine);
    expect(predictions).toHaveLength(images.length);
    for (const p of predictions) {
      const accession = archive.accessions.get(p.filename);
      expect(p.metadata).toEqual(accession ? { accession, note: 'a, b' } : {});
    }

    const webhooks = new Queue('webhooks', {
      connection: { url: infra().redisUrl },
      prefix: `${prefix}:bull`,
    });
    const completions = (
      await webhooks.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed'])
    ).filter((j) => j.data?.type === 'batch.completed' && j.data.batchId === state.batch_id);
    expect(completions).toHaveLength(1);
    await webhooks.close();

    // A third run finds the submission sealed: nothing is uploaded, the batch id is printed again.
    const third = await runCli(['submit', 'archive', '--manifest', 'manifest.csv'], { cwd: work, env });
    expect(third.stdout.trim()).toBe(state.batch_id);
    expect(counter.successes()).toBe(unique.size);
  });

  it('uploads through the API with --multipart, and refuses a state file of another submission', async () => {
    const small = await writeArchive(join(work, 'small'), 12, 50_000);
    const run = await runCli(['submit', 'small', '--multipart', '--state', 'small.json', '--wait'], {
      cwd: work,
      env,
      timeoutMs: 60_000,
    });
    expect(run.code).toBe(1);
    const batchId = run.stdout.trim();
    expect(batchId).toMatch(/^bat_/);
    const results = await runCli(['results', batchId, '--format', 'ndjson'], { cwd: work, env });
    const lines = results.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PredictionLine);
    expect(lines.map((l) => l.filename).sort()).toEqual(small.images.map((i) => i.relPath).sort());
    const other = await runCli(['submit', 'archive', '--state', 'small.json'], { cwd: work, env });
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/belongs to another submission/);
    const badKey = await runCli(['status', batchId], {
      cwd: work,
      env: { ...env, DERMAFLEET_API_KEY: 'wrong-key-0000' },
    });
    expect(badKey.code).toBe(2);
    const nowhere = await runCli(['status', batchId, '--api', 'http://127.0.0.1:9'], {
      cwd: work,
      env: { ...env },
    });
    expect(nowhere.code).toBe(2);
  });
});
