import { call, createBatch, makeImage, type PredictionBody, sha256, type Ticket } from './harness/batch-api';
import { startS3Gate, type S3Gate } from './harness/s3-gate';
import { type RunningApp, startApi } from './harness/stack';
import { infra, uniquePrefix } from './harness/test-env';

/**
 * A client killed right after sending `uploads/complete` leaves the API verifying its bytes; the
 * client's next run asks `uploads` for the same file meanwhile. The bytes have arrived: it must
 * get no URL (a second PUT of the same image), and the completion must still land. Held open for
 * certain by a proxy in front of S3 that stops the API's read of the snapshot it verifies.
 */
describe('a resumed client while its last completion is still being verified', () => {
  const prefix = uniquePrefix('resumerace');
  const KEY = 'key-of-resume-race-1234';
  let gate: S3Gate;
  let api: RunningApp;
  const a = () => ({ url: api.url, headers: { authorization: `Bearer ${KEY}` } });

  beforeAll(async () => {
    gate = await startS3Gate(infra().s3Endpoint);
    api = await startApi(prefix, { API_KEYS: `clinic:${KEY}`, S3_ENDPOINT: gate.url });
  });
  afterAll(async () => {
    await api?.close();
    await gate?.close();
  });

  it('answers the same file without a URL, and the completion lands once', async () => {
    const batch = await createBatch(a());
    const bytes = await makeImage(4711);
    const entry = {
      filename: 'a/lesion.jpg',
      sha256: sha256(bytes),
      bytes: bytes.length,
      content_type: 'image/jpeg',
    };
    const first = await call<{ uploads: Ticket[] }>(a(), 'POST', `/v1/batches/${batch.id}/uploads`, {
      files: [entry],
    });
    const [ticket] = first.body.uploads;
    expect(ticket.url).toEqual(expect.any(String));
    expect((await fetch(ticket.url!, { method: 'PUT', body: bytes, headers: ticket.headers })).status).toBe(
      200,
    );

    const verifying = gate.hold('GET', /\/verifying\//);
    const completing = call<{ accepted: PredictionBody[]; rejected: unknown[] }>(
      a(),
      'POST',
      `/v1/batches/${batch.id}/uploads/complete`,
      { prediction_ids: [ticket.prediction_id] },
    );
    await verifying.reached; // the API is streaming its snapshot of the staged bytes now
    const resumed = await call<{ uploads: Ticket[] }>(a(), 'POST', `/v1/batches/${batch.id}/uploads`, {
      files: [entry],
    }).finally(() => setTimeout(verifying.release, 50)); // released whatever the answer, so a failure ends
    expect(resumed.body.uploads).toEqual([
      {
        prediction_id: ticket.prediction_id,
        filename: entry.filename,
        url: null,
        headers: {},
        expires_at: null,
      },
    ]);

    const completed = await completing;
    expect(completed.status).toBe(202);
    expect(completed.body.accepted.map((p) => [p.id, p.status])).toEqual([[ticket.prediction_id, 'queued']]);
    // The resumed client completes it too: the prediction as it stands, not a missing upload.
    const again = await call<{ accepted: PredictionBody[]; rejected: unknown[] }>(
      a(),
      'POST',
      `/v1/batches/${batch.id}/uploads/complete`,
      { prediction_ids: [ticket.prediction_id] },
    );
    expect(again.body).toEqual({
      accepted: [expect.objectContaining({ id: ticket.prediction_id })],
      rejected: [],
    });
  });
});
