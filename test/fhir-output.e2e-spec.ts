import type { Observation } from '../apps/api/src/fhir/fhir-r4.types';
import {
  addImages,
  type Api,
  call,
  createBatch,
  type PredictionBody,
  waitCompleted,
} from './harness/batch-api';
import { runCli } from './harness/cli';
import { uploadPrediction } from './harness/http';
import { type RunningApp, startApi, startWorker } from './harness/stack';
import { uniquePrefix } from './harness/test-env';
import { observationValidator, officialR4Validator, type Validate } from './fhir-support/observation-schema';
import { distinctJpegs } from './worker-support/distinct-images';

const KEYS = { a: 'key-of-tenant-a-fhir-1234', b: 'key-of-tenant-b-fhir-5678' };
const env = { API_KEYS: `tenant_a:${KEYS.a},tenant_b:${KEYS.b}` };

const dicom = {
  study_instance_uid: '1.2.826.0.1.3680043.8.498.1',
  series_instance_uid: '1.2.826.0.1.3680043.8.498.1.2',
  sop_instance_uid: '1.2.826.0.1.3680043.8.498.1.2.3',
  accession_number: 'A-77',
};

/** The harness's prediction body, with the result's top label this test compares. */
type Prediction = PredictionBody & { result: { label: string } | null };

const errorCode = (text: string) => (JSON.parse(text) as { error: { code: string } }).error.code;

/**
 * FHIR R4 output (CONTRACT.md v3): `?format=fhir` on a prediction and `?format=fhir-ndjson` on a
 * batch's results, on the real API and worker (tiny model), Redis and S3, validated against the
 * R4 Observation schema and the official R4 JSON schema.
 */
describe('FHIR R4 output', () => {
  const prefix = uniquePrefix('fhir');
  let api: RunningApp;
  let worker: RunningApp | undefined;
  let a: Api;
  let b: Api;
  let images: Buffer[];
  const validate = observationValidator();
  const official = officialR4Validator();
  const check: Validate = (o) => [...validate(o), ...official(o)];

  beforeAll(async () => {
    api = await startApi(prefix, env);
    a = { url: api.url, headers: { authorization: `Bearer ${KEYS.a}` } };
    b = { url: api.url, headers: { authorization: `Bearer ${KEYS.b}` } };
    images = await distinctJpegs(4, 96, 72);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const expectMatches = (o: Observation, p: Prediction) => {
    expect(check(o)).toEqual([]);
    expect(o.status).toBe('preliminary');
    expect(o.identifier[0].value).toBe(p.id);
    const probabilities = p.result!.probabilities;
    expect(o.component.map((c) => [c.code.text, c.valueQuantity.value])).toEqual(
      probabilities.map((x) => [x.label, x.probability]),
    );
    expect(o.valueCodeableConcept.text).toBe(p.result!.label);
  };

  it('answers a prediction as one Observation once it succeeded, 409 before, 404 to another tenant', async () => {
    const upload = await uploadPrediction(a.url, images[0], {
      filename: 'lesion.jpg',
      fields: { metadata: JSON.stringify({ dicom }) },
      headers: a.headers,
    });
    expect(upload.status).toBe(202);
    const { id } = (await upload.json()) as PredictionBody;

    // No worker yet: still queued, so there is nothing to observe.
    const early = await call(a, 'GET', `/v1/predictions/${id}?format=fhir`);
    expect(early.status).toBe(409);
    expect(errorCode(early.text)).toBe('prediction_not_succeeded');
    expect((await call(a, 'GET', `/v1/predictions/${id}?format=xml`)).status).toBe(400);

    worker = await startWorker(prefix, env);
    const res = await call(a, 'GET', `/v1/predictions/${id}?format=fhir&wait=30`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const observation = JSON.parse(res.text) as Observation;
    const prediction = (await call<Prediction>(a, 'GET', `/v1/predictions/${id}`)).body;
    expect(prediction.status).toBe('succeeded');
    expectMatches(observation, prediction);
    expect(observation.derivedFrom?.map((r) => r.identifier?.value)).toEqual([
      `urn:oid:${dicom.study_instance_uid}`,
      dicom.accession_number,
      `urn:oid:${dicom.sop_instance_uid}`,
    ]);

    const other = await call(b, 'GET', `/v1/predictions/${id}?format=fhir`);
    expect(other.status).toBe(404);
    expect(errorCode(other.text)).toBe('not_found');
  });

  it('exports a batch as FHIR NDJSON (succeeded ones, in creation order) over HTTP and the CLI; 404 to another tenant', async () => {
    const batch = await createBatch(a);
    const truncated = images[3].subarray(0, Math.floor(images[3].length * 0.6));
    const added = await addImages(a, batch.id, [
      { file: 'one.jpg', bytes: images[1] },
      { file: 'broken.jpg', bytes: truncated },
      { file: 'two.jpg', bytes: images[2] },
    ]);
    expect(added.status).toBe(202);
    const accepted = added.body.accepted as PredictionBody[];
    expect(accepted).toHaveLength(3);
    expect((await call(a, 'POST', `/v1/batches/${batch.id}/seal`)).status).toBe(200);
    const done = await waitCompleted(a, batch.id);
    expect(done.counts).toMatchObject({ succeeded: 2, failed: 1 });

    const res = await call(a, 'GET', `/v1/batches/${batch.id}/results?format=fhir-ndjson`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/fhir\+ndjson/);
    expect(res.headers.get('x-batch-status')).toBe('completed');
    const lines = res.text.split('\n').filter(Boolean);
    const observations = lines.map((l) => JSON.parse(l) as Observation);
    const byId = new Map<string, Prediction>();
    for (const p of accepted)
      byId.set(p.id, (await call<Prediction>(a, 'GET', `/v1/predictions/${p.id}`)).body);
    const succeeded = accepted.filter((p) => byId.get(p.id)!.status === 'succeeded').map((p) => p.id);
    expect(succeeded).toEqual([accepted[0].id, accepted[2].id]);
    expect(observations.map((o) => o.identifier[0].value)).toEqual(succeeded);
    for (const o of observations) expectMatches(o, byId.get(o.identifier[0].value)!);
    expect(observations[0].derivedFrom).toBeUndefined();

    // The failed one has no Observation of its own either.
    const failed = await call(a, 'GET', `/v1/predictions/${accepted[1].id}?format=fhir`);
    expect(failed.status).toBe(409);
    expect(errorCode(failed.text)).toBe('prediction_not_succeeded');

    const other = await call(b, 'GET', `/v1/batches/${batch.id}/results?format=fhir-ndjson`);
    expect(other.status).toBe(404);
    expect(errorCode(other.text)).toBe('not_found');

    const cli = await runCli(['results', batch.id, '--format', 'fhir-ndjson'], {
      env: { DERMAFLEET_API_URL: a.url, DERMAFLEET_API_KEY: KEYS.a },
    });
    expect(cli.stdout).toBe(res.text);
    expect(cli.code).toBe(1); // one prediction of the batch failed
  });
});
