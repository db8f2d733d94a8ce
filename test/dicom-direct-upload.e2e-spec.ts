import { createHmac } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FIXTURE_IDS,
  FIXTURE_PATIENT_ID,
  SYNTAX,
  wrapJpeg,
  writeDicom,
} from '../libs/inference/src/preprocess/dicom-fixture.testing';
import {
  type Api,
  call,
  createBatch,
  makeImage,
  type PredictionBody,
  sha256,
  type Ticket,
  waitCompleted,
} from './harness/batch-api';
import { runCli } from './harness/cli';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { fixturesDir, infra, uniquePrefix } from './harness/test-env';

const KEY = 'key-of-dicom-direct-1234';
const HASH_KEY = 'e2e-dicom-direct-patient-id-key-0123';

interface Complete {
  accepted: PredictionBody[];
  rejected: Array<{ prediction_id: string; error: { code: string; message: string } }>;
}

/**
 * DICOM by direct upload (presigned PUT to staging, then complete), on the real API, worker,
 * Redis and S3: the identifiers are read from the verified bytes and written with the claim, so
 * the prediction carries metadata.dicom exactly as a multipart upload's does; a syntax we do not
 * decode fails its prediction by name.
 */
describe('DICOM direct uploads', () => {
  const prefix = uniquePrefix('dicomdirect');
  let api: RunningApp;
  let hashingApi: RunningApp;
  let worker: RunningApp;
  let a: Api;
  let jpeg: Buffer;
  let dicom: Buffer;

  beforeAll(async () => {
    const env = { API_KEYS: `pacs:${KEY}` };
    api = await startApi(prefix, env);
    hashingApi = await startApi(prefix, { ...env, DICOM_PATIENT_ID: 'hash', DICOM_PATIENT_ID_KEY: HASH_KEY });
    worker = await startWorker(prefix, env);
    a = { url: api.url, headers: { authorization: `Bearer ${KEY}` } };
    jpeg = await readFile(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'));
    dicom = Buffer.from(wrapJpeg(jpeg, 1536, 2048));
  });
  afterAll(async () => {
    await worker?.close();
    await hashingApi?.close();
    await api?.close();
  });

  const entry = (filename: string, bytes: Buffer, contentType: string, metadata?: object) => ({
    filename,
    sha256: sha256(bytes),
    bytes: bytes.length,
    content_type: contentType,
    ...(metadata ? { metadata } : {}),
  });

  /** Announces the files, PUTs each to its URL (those that need one), completes them all. */
  async function upload(batchId: string, files: Array<{ entry: ReturnType<typeof entry>; bytes: Buffer }>) {
    const res = await call<{ uploads: Ticket[] }>(a, 'POST', `/v1/batches/${batchId}/uploads`, {
      files: files.map((f) => f.entry),
    });
    expect(res.status).toBe(200);
    const tickets = res.body.uploads;
    for (const [i, t] of tickets.entries()) {
      if (!t.url) continue;
      const put = await fetch(t.url, { method: 'PUT', body: files[i].bytes, headers: t.headers });
      expect(put.status).toBe(200);
    }
    const complete = await call<Complete>(a, 'POST', `/v1/batches/${batchId}/uploads/complete`, {
      prediction_ids: tickets.map((t) => t.prediction_id),
    });
    expect(complete.status).toBe(202);
    return { tickets, complete: complete.body };
  }

  async function sealAndWait(batchId: string): Promise<void> {
    expect((await call(a, 'POST', `/v1/batches/${batchId}/seal`)).status).toBe(200);
    await waitCompleted(a, batchId);
  }

  const prediction = async (id: string) =>
    (await call<PredictionBody>(a, 'GET', `/v1/predictions/${id}`)).body;

  it('a DICOM wrapping a JPEG, PUT to its URL, gets metadata.dicom and the JPEG’s probabilities', async () => {
    const batch = await createBatch(a);
    const { tickets, complete } = await upload(batch.id, [
      { entry: entry('plain/lesion.jpg', jpeg, 'image/jpeg'), bytes: jpeg },
      // The client's own `dicom` key is replaced by the file's: those values come from the bytes.
      {
        entry: entry('pacs/IM0001', dicom, 'application/dicom', { site: 'ward-3', dicom: { x: 1 } }),
        bytes: dicom,
      },
    ]);
    expect(complete.rejected).toEqual([]);
    // Completion answers the claimed record: metadata.dicom is there before any worker ran.
    const claimed = complete.accepted.find((p) => p.id === tickets[1].prediction_id);
    expect(claimed?.metadata).toEqual({ site: 'ward-3', dicom: { ...FIXTURE_IDS } });
    await sealAndWait(batch.id);

    const plain = await prediction(tickets[0].prediction_id);
    const wrapped = await prediction(tickets[1].prediction_id);
    expect(plain.status).toBe('succeeded');
    expect(wrapped.status).toBe('succeeded');
    expect(wrapped.image).toMatchObject({ format: 'dicom', width: 2048, height: 1536 });
    expect(wrapped.metadata).toEqual({ site: 'ward-3', dicom: { ...FIXTURE_IDS } });
    expect(wrapped.result?.probabilities).toEqual(plain.result?.probabilities);
    expect(JSON.stringify(wrapped)).not.toContain(FIXTURE_PATIENT_ID);

    // The same bytes in another batch are already stored (no URL): still read for their UIDs.
    const again = await createBatch(a);
    const second = await upload(again.id, [
      { entry: entry('IM0001', dicom, 'application/dicom'), bytes: dicom },
    ]);
    expect(second.tickets[0].url).toBeNull();
    await sealAndWait(again.id);
    const reused = await prediction(second.tickets[0].prediction_id);
    expect(reused.status).toBe('succeeded');
    expect(reused.metadata).toEqual({ dicom: { ...FIXTURE_IDS } });
  });

  it('DICOM_PATIENT_ID=hash: a direct upload gets the keyed HMAC of the patient ID, never the ID', async () => {
    const hashing: Api = { url: hashingApi.url, headers: a.headers };
    const batch = await createBatch(hashing);
    const bytes = Buffer.from(wrapJpeg(await makeImage(777, 'jpeg', 24), 24, 24));
    const res = await call<{ uploads: Ticket[] }>(hashing, 'POST', `/v1/batches/${batch.id}/uploads`, {
      files: [entry('IM0003', bytes, 'application/dicom')],
    });
    const [ticket] = res.body.uploads;
    expect((await fetch(ticket.url!, { method: 'PUT', body: bytes, headers: ticket.headers })).status).toBe(
      200,
    );
    const complete = await call<Complete>(hashing, 'POST', `/v1/batches/${batch.id}/uploads/complete`, {
      prediction_ids: [ticket.prediction_id],
    });
    const hmac = createHmac('sha256', HASH_KEY).update(FIXTURE_PATIENT_ID).digest('hex');
    expect(complete.body.accepted[0].metadata).toEqual({ dicom: { ...FIXTURE_IDS, patient_id: hmac } });
    expect(complete.text).not.toContain(FIXTURE_PATIENT_ID);
  });

  it('a JPEG 2000 DICOM PUT to its URL fails its prediction (invalid_image) naming the syntax', async () => {
    const batch = await createBatch(a);
    const j2k = Buffer.from(
      writeDicom({
        transferSyntax: SYNTAX.jpeg2000,
        rows: 8,
        columns: 8,
        pixelData: [new Uint8Array(64).fill(1)],
      }),
    );
    const { tickets, complete } = await upload(batch.id, [
      { entry: entry('j2k.dcm', j2k, 'application/dicom'), bytes: j2k },
    ]);
    const syntax = 'JPEG 2000 (1.2.840.10008.1.2.4.91)';
    expect(complete.rejected).toEqual([
      {
        prediction_id: tickets[0].prediction_id,
        error: { code: 'unsupported_media_type', message: expect.stringContaining(syntax) },
      },
    ]);
    const failed = await prediction(tickets[0].prediction_id);
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({ code: 'invalid_image', message: expect.stringContaining(syntax) });
    expect(failed.metadata).toEqual({});
  });

  it('dermafleet submit sends a DICOM without extension directly; its result has metadata.dicom', async () => {
    const work = await mkdtemp(join(infra().scratch, 'dicom-direct-'));
    const small = await makeImage(4242, 'jpeg', 32);
    await mkdir(join(work, 'archive', 'study-1'), { recursive: true });
    await writeFile(join(work, 'archive', 'study-1', 'IM0002'), wrapJpeg(small, 32, 32));
    await writeFile(join(work, 'archive', 'photo.jpg'), small);
    const env = { DERMAFLEET_API_URL: api.url, DERMAFLEET_API_KEY: KEY };
    const run = await runCli(['submit', 'archive', '--wait'], { cwd: work, env, timeoutMs: 120_000 });
    expect(run.code).toBe(0);
    const batchId = run.stdout.trim().split('\n').pop()!;
    const results = await runCli(['results', batchId, '--format', 'ndjson'], { cwd: work, env });
    const lines = results.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PredictionBody);
    const byName = new Map(lines.map((p) => [p.filename, p]));
    const fromDicom = byName.get('study-1/IM0002');
    expect(fromDicom?.status).toBe('succeeded');
    expect(fromDicom?.image.format).toBe('dicom');
    expect(fromDicom?.metadata).toEqual({ dicom: { ...FIXTURE_IDS } });
    expect(fromDicom?.result?.probabilities).toEqual(byName.get('photo.jpg')?.result?.probabilities);
  });
});
