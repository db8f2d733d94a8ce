import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ensureDemoModel } from '../../apps/cli/src/local/demo-model.location';
import { parseCsv } from '../../apps/cli/src/submit/csv-parse';
import { AppProcess } from '../support/app-process';
import { cliArgs } from '../support/cli-command';
import { benchAppEnv, repoRoot, startInfra } from '../support/bench-infra';
import { redisKeysMentioning } from '../../test/harness/redis-mentions';
import { countLeftovers, type Leftovers } from './leftovers';
import { FILE_KINDS, type FileKind, type MixedArchive, writeMixedArchive } from './mixed-archive.files';

export interface MixedArchiveReport {
  count: number;
  archiveMB: number;
  byKind: Record<FileKind, number>;
  /** `dermafleet submit <dir> --wait`: walk, hash, upload, complete, seal and every result. */
  submitSeconds: number;
  submitExitCode: number | null;
  succeeded: number;
  failed: number;
  csvRows: number;
  ndjsonLines: number;
  dicomFiles: number;
  /** CSV rows of DICOM files whose study/series/SOP UIDs are the ones written into the file. */
  dicomCsvRowsWithUids: number;
  /** FHIR Observations of DICOM files derived from their SOP Instance UID (a Media reference). */
  dicomObservationsWithUids: number;
  before: Leftovers;
  /** null: DELETE /v1/batches/{id} is not there (404/405). */
  erasure: {
    status: number;
    seconds: number;
    after: Leftovers;
    /** Redis keys whose name or value still names the batch, a prediction or an image (test/harness scan). */
    naming: string[];
  } | null;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as operators run it (cliArgs), its own process. */
function cli(args: string[], env: Record<string, string>, timeoutMs = 3_600_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, cliArgs(args), {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Checks the CSV export against the archive: rows, and each DICOM row's UIDs. */
function checkCsv(
  text: string,
  archive: MixedArchive,
): {
  rows: number;
  dicomWithUids: number;
  ids: Map<string, string>;
  /** Every prediction id and image sha256 of the export (what an erasure must leave nowhere). */
  names: string[];
} {
  const [header, ...rows] = parseCsv(text).filter((r) => r.length > 1);
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`The CSV export has no ${name} column: ${header.join(',')}`);
    return i;
  };
  const [id, filename, study, series, sop, sha] = [
    'prediction_id',
    'filename',
    'study_instance_uid',
    'series_instance_uid',
    'sop_instance_uid',
    'sha256',
  ].map(col);
  // Image hashes appear in hex and, in compact records and dedupe keys, as base64url.
  const names = rows.flatMap((r) => [r[id], r[sha], Buffer.from(r[sha], 'hex').toString('base64url')]);
  const byPath = new Map(archive.files.map((f) => [f.path, f]));
  const ids = new Map<string, string>(); // prediction id -> SOP Instance UID written
  let dicomWithUids = 0;
  for (const row of rows) {
    const file = byPath.get(row[filename]);
    if (!file?.dicom) continue;
    ids.set(row[id], file.dicom.sop_instance_uid);
    const d = file.dicom;
    if (
      row[study] === d.study_instance_uid &&
      row[series] === d.series_instance_uid &&
      row[sop] === d.sop_instance_uid
    )
      dicomWithUids++;
  }
  return { rows: rows.length, dicomWithUids, ids, names };
}

/** Observations of DICOM files whose derivedFrom names their own SOP Instance UID. */
function checkFhir(text: string, sopById: Map<string, string>): { lines: number; dicomWithUids: number } {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  let dicomWithUids = 0;
  for (const line of lines) {
    const o = JSON.parse(line) as { identifier?: Array<{ value?: string }>; derivedFrom?: unknown[] };
    const sop = sopById.get(o.identifier?.[0]?.value ?? '');
    if (sop && JSON.stringify(o.derivedFrom ?? []).includes(sop)) dicomWithUids++;
  }
  return { lines: lines.length, dicomWithUids };
}

/** Leftovers once they stop changing (erasure may finish in the background): 3 equal reads, 60 s at most. */
async function settledLeftovers(read: () => Promise<Leftovers>): Promise<Leftovers> {
  let last = await read();
  let same = 0;
  const deadline = Date.now() + 60_000;
  while (same < 3 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    const next = await read();
    same = next.objects === last.objects && next.keys === last.keys ? same + 1 : 0;
    last = next;
  }
  return last;
}

/**
 * A hospital-like mixed archive end to end: `count` distinct files (JPEG, PNG, DICOM `.dcm`,
 * DICOM without extension) submitted with `dermafleet submit --wait` to the API and one worker
 * (tiny demo model) on Redis and the embedded S3 server; the CSV and FHIR NDJSON exports checked
 * against what was written; then the batch erased (where the API has DELETE) and what is left
 * counted in S3 and Redis.
 */
export async function runMixedArchiveBench(count: number): Promise<MixedArchiveReport> {
  const infra = await startInfra();
  const prefix = `bench-archive-${process.pid}-${randomBytes(3).toString('hex')}`;
  const redis = new Redis(infra.redisUrl);
  const apps: AppProcess[] = [];
  try {
    const model = await ensureDemoModel('tiny', repoRoot);
    const root = await mkdtemp(join(infra.scratch, 'archive-'));
    const generated = Date.now();
    const archive = await writeMixedArchive(join(root, 'files'), count, process.pid % 100_000);
    console.error(
      `[bench] archive: ${count} files, ${(archive.bytes / 1e6).toFixed(1)} MB in ${((Date.now() - generated) / 1000).toFixed(1)} s`,
    );
    const env = benchAppEnv(infra, prefix, model.dir);
    // Erasure's second pass runs RECONCILE_AFTER_MS after it: 10 s, so the count below can wait for it.
    Object.assign(env, { RECONCILE_AFTER_MS: '10000' });
    apps.push(await AppProcess.start('api', 'api', env));
    apps.push(await AppProcess.start('worker', 'worker', env));
    const api = apps[0].url;
    const cliEnv = { DERMAFLEET_API_URL: api };

    const started = Date.now();
    const submit = await cli(
      ['submit', join(root, 'files'), '--state', join(root, 'state.json'), '--wait'],
      cliEnv,
    );
    const submitSeconds = (Date.now() - started) / 1000;
    const batchId = submit.stdout.trim().split('\n').pop() ?? '';
    if (!batchId.startsWith('bat_')) throw new Error(`submit exited with ${submit.code}:\n${submit.stderr}`);
    const batch = (await (await fetch(`${api}/v1/batches/${batchId}`)).json()) as {
      counts: { succeeded: number; failed: number };
    };

    const csvFile = join(root, 'results.csv');
    const ndjsonFile = join(root, 'results.fhir.ndjson');
    for (const [format, file] of [
      ['csv', csvFile],
      ['fhir-ndjson', ndjsonFile],
    ]) {
      const run = await cli(['results', batchId, '--format', format, '-o', file], cliEnv);
      if (run.code !== 0)
        throw new Error(`results --format ${format} exited with ${run.code}:\n${run.stderr}`);
    }
    const csv = checkCsv(await readFile(csvFile, 'utf8'), archive);
    const fhir = checkFhir(await readFile(ndjsonFile, 'utf8'), csv.ids);

    const bucket = env.S3_BUCKET;
    const leftovers = () => countLeftovers(infra.s3, bucket, redis, prefix);
    const before = await leftovers();
    const erasing = Date.now();
    const res = await fetch(`${api}/v1/batches/${batchId}`, {
      method: 'DELETE',
      signal: AbortSignal.timeout(600_000),
    });
    await res.arrayBuffer();
    let erasure: MixedArchiveReport['erasure'] = null;
    if (res.status !== 404 && res.status !== 405) {
      if (!res.ok) throw new Error(`DELETE /v1/batches/${batchId} answered ${res.status}`);
      await settledLeftovers(leftovers);
      // The second pass of erasure's S3 and job deletions names its ids until it has run
      // (RECONCILE_AFTER_MS, 10 s here): the count waits for it, up to 90 s.
      const needles = [batchId, ...csv.names];
      let naming = await redisKeysMentioning(redis, prefix, needles);
      for (const deadline = Date.now() + 90_000; naming.length && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 2000));
        naming = await redisKeysMentioning(redis, prefix, needles);
      }
      erasure = {
        status: res.status,
        seconds: (Date.now() - erasing) / 1000,
        after: await leftovers(),
        naming,
      };
    }
    return {
      count,
      archiveMB: archive.bytes / 1e6,
      byKind: archive.byKind,
      submitSeconds,
      submitExitCode: submit.code,
      succeeded: batch.counts.succeeded,
      failed: batch.counts.failed,
      csvRows: csv.rows,
      ndjsonLines: fhir.lines,
      dicomFiles: archive.byKind.dicom + archive.byKind['dicom-no-ext'],
      dicomCsvRowsWithUids: csv.dicomWithUids,
      dicomObservationsWithUids: fhir.dicomWithUids,
      before,
      erasure,
    };
  } finally {
    for (const app of apps.reverse()) await app.stop();
    await infra.clearPrefix(prefix);
    redis.disconnect();
    await infra.close();
  }
}

const ok = (good: boolean): string => (good ? 'ok' : 'MISMATCH');
const kinds = (counts: Record<string, number>): string =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || 'none';

export function formatMixedArchive(r: MixedArchiveReport): string {
  const names: Record<FileKind, string> = {
    jpeg: 'JPEG .jpg',
    png: 'PNG .png',
    dicom: 'DICOM .dcm',
    'dicom-no-ext': 'DICOM, no extension',
  };
  const row = (label: string, value: string | number) => `  ${label.padEnd(40)} ${value}`;
  const lines = [
    `mixed archive: ${r.count} distinct files (${r.archiveMB.toFixed(1)} MB), direct upload, tiny demo model, one worker`,
    ...FILE_KINDS.map((k) => row(`files: ${names[k]}`, r.byKind[k])),
    row('submit --wait (upload to results)', `${r.submitSeconds.toFixed(1)} s (exit ${r.submitExitCode})`),
    row('files/s', (r.count / r.submitSeconds).toFixed(1)),
    row('succeeded / failed', `${r.succeeded} / ${r.failed}`),
    row('CSV rows', `${r.csvRows} (${ok(r.csvRows === r.count)})`),
    row('FHIR NDJSON lines', `${r.ndjsonLines} (${ok(r.ndjsonLines === r.count)})`),
    row(
      'DICOM CSV rows with their UIDs',
      `${r.dicomCsvRowsWithUids} of ${r.dicomFiles} (${ok(r.dicomCsvRowsWithUids === r.dicomFiles)})`,
    ),
    row(
      'DICOM Observations with their SOP UID',
      `${r.dicomObservationsWithUids} of ${r.dicomFiles} (${ok(r.dicomObservationsWithUids === r.dicomFiles)})`,
    ),
    row('before erasure: S3 objects', `${r.before.objects} (${kinds(r.before.objectsByKind)})`),
    row('before erasure: Redis keys', `${r.before.keys} (${kinds(r.before.keysByKind)})`),
  ];
  if (!r.erasure) lines.push(row('erasure', 'not available'));
  else
    lines.push(
      row('erasure', `DELETE answered ${r.erasure.status}; settled in ${r.erasure.seconds.toFixed(1)} s`),
      row(
        'after erasure: S3 objects',
        `${r.erasure.after.objects} (${kinds(r.erasure.after.objectsByKind)})`,
      ),
      row('after erasure: Redis keys', `${r.erasure.after.keys} (${kinds(r.erasure.after.keysByKind)})`),
      row(
        'after erasure: keys naming it',
        `${r.erasure.naming.length}${r.erasure.naming.length ? ` (${r.erasure.naming.slice(0, 3).join('; ')})` : ''}`,
      ),
    );
  return lines.join('\n');
}

/** The file count: `--count N`, else BENCH_ARCHIVE_COUNT, else 1,000. */
export function archiveCount(argv: string[]): number {
  const i = argv.indexOf('--count');
  const count = Number(i >= 0 ? argv[i + 1] : (process.env.BENCH_ARCHIVE_COUNT ?? 1000));
  if (!Number.isInteger(count) || count < 1)
    throw new Error('--count (BENCH_ARCHIVE_COUNT) must be a whole number, 1 or more.');
  return count;
}

/** `npx tsx bench/archive/mixed-archive.bench.ts [--count N]` (or `npm run bench -- archive`). */
if (require.main === module) {
  runMixedArchiveBench(archiveCount(process.argv.slice(2)))
    .then((r) => console.log(formatMixedArchive(r)))
    .catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
}
