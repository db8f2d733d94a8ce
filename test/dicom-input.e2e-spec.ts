import { createHmac } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  FIXTURE_IDS,
  FIXTURE_PATIENT_ID,
  SYNTAX,
  wrapJpeg,
  writeDicom,
} from '../libs/inference/src/preprocess/dicom-fixture.testing';
import { addImages, createBatch } from './harness/batch-api';
import { getJson, uploadPrediction } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { fixturesDir, poll, uniquePrefix } from './harness/test-env';

interface PredictionBody {
  id: string;
  status: string;
  image: { format: string; width: number; height: number };
  metadata: Record<string, unknown>;
  result: { probabilities: Array<{ label: string; probability: number }> } | null;
  error: { code: string; message: string } | null;
}

const HASH_KEY = 'e2e-dicom-patient-id-key-0123456789';

/**
 * DICOM input end to end (issue 14, CONTRACT.md "DICOM"): a DICOM wrapping a JPEG is classified
 * exactly as that JPEG, reports `dicom` as its format and its identifiers in metadata.dicom
 * (never the patient ID by default), and a syntax we do not decode is refused at upload.
 */
describe('DICOM uploads (POST /v1/predictions)', () => {
  const prefix = uniquePrefix('dicom');
  let api: RunningApp;
  let hashingApi: RunningApp;
  let worker: RunningApp;
  let jpeg: Buffer;
  let dicom: Buffer;

  beforeAll(async () => {
    api = await startApi(prefix);
    hashingApi = await startApi(prefix, { DICOM_PATIENT_ID: 'hash', DICOM_PATIENT_ID_KEY: HASH_KEY });
    worker = await startWorker(prefix);
    jpeg = await readFile(join(fixturesDir, 'images', 'dermoscopy_2048x1536.jpg'));
    dicom = Buffer.from(wrapJpeg(jpeg, 1536, 2048));
  });
  afterAll(async () => {
    await worker?.close();
    await hashingApi?.close();
    await api?.close();
  });

  async function classify(url: string, bytes: Buffer, filename: string): Promise<PredictionBody> {
    const res = await uploadPrediction(url, bytes, { filename, fields: { metadata: '{"site":"e2e"}' } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as PredictionBody;
    const done = await poll(
      () => getJson<PredictionBody>(`${url}/v1/predictions/${id}`),
      (r) => r.body.status === 'succeeded' || r.body.status === 'failed',
      90_000,
      200,
    );
    return done.body;
  }

  it('a DICOM wrapping a JPEG gets the JPEG’s probabilities, its UIDs and no patient ID', async () => {
    const plain = await classify(api.url, jpeg, 'lesion.jpg');
    const wrapped = await classify(api.url, dicom, 'lesion'); // archives often have no extension
    expect(plain.status).toBe('succeeded');
    expect(wrapped.status).toBe('succeeded');
    expect(wrapped.image).toMatchObject({ format: 'dicom', width: 2048, height: 1536 });
    expect(wrapped.result?.probabilities).toEqual(plain.result?.probabilities);
    expect(wrapped.metadata).toEqual({ site: 'e2e', dicom: { ...FIXTURE_IDS } });
    expect(JSON.stringify(wrapped)).not.toContain(FIXTURE_PATIENT_ID);
  });

  it('DICOM_PATIENT_ID=hash stores the keyed HMAC of the patient ID, never the ID', async () => {
    const res = await uploadPrediction(hashingApi.url, dicom, { filename: 'hashed.dcm' });
    expect(res.status).toBe(202);
    const body = (await res.json()) as PredictionBody;
    const hmac = createHmac('sha256', HASH_KEY).update(FIXTURE_PATIENT_ID).digest('hex');
    expect(body.metadata).toEqual({ dicom: { ...FIXTURE_IDS, patient_id: hmac } });
  });

  it('a batch multipart upload of DICOM gets metadata.dicom beside the part’s own metadata', async () => {
    const batches = { url: api.url, headers: {} };
    const batch = await createBatch(batches);
    const added = await addImages(batches, batch.id, [
      { field: 'metadata', value: '{"site":"ward-3"}' },
      { file: 'IM0001', bytes: dicom },
    ]);
    expect(added.status).toBe(202);
    const [accepted] = added.body.accepted as PredictionBody[];
    expect(accepted.image.format).toBe('dicom');
    expect(accepted.metadata).toEqual({ site: 'ward-3', dicom: { ...FIXTURE_IDS } });
    // The CSV export ends each line with the UIDs that join it back to the PACS.
    const csv = await fetch(`${api.url}/v1/batches/${batch.id}/results?format=csv`);
    const [header, row] = (await csv.text()).split('\r\n');
    const columns = [
      'study_instance_uid',
      'series_instance_uid',
      'sop_instance_uid',
      'accession_number',
    ] as const;
    expect(header.endsWith(`,cached,${columns.join(',')}`)).toBe(true);
    const ids = FIXTURE_IDS as Record<string, string | undefined>;
    expect(row.endsWith(`,${columns.map((c) => ids[c] ?? '').join(',')}`)).toBe(true);
    expect(row.startsWith(`${accepted.id},`)).toBe(true);
  });

  it('a JPEG 2000 DICOM answers 415 unsupported_media_type naming the transfer syntax', async () => {
    const j2k = writeDicom({
      transferSyntax: SYNTAX.jpeg2000,
      rows: 8,
      columns: 8,
      pixelData: [new Uint8Array(64).fill(1)],
    });
    const res = await uploadPrediction(api.url, Buffer.from(j2k), { filename: 'j2k.dcm' });
    expect(res.status).toBe(415);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unsupported_media_type');
    expect(body.error.message).toContain('JPEG 2000 (1.2.840.10008.1.2.4.91)');
  });
});
