import {
  addImages,
  type Api,
  call,
  createBatch,
  makeImage,
  type PredictionBody,
  sha256,
  startBatchStack,
  type Ticket,
  waitCompleted,
} from './harness/batch-api';
import { poll, uniquePrefix } from './harness/test-env';

/** Direct uploads (presigned S3 PUTs) and the results export, on the real API, worker, Redis and S3. */
describe('direct uploads', () => {
  const prefix = uniquePrefix('direct');
  let stack: Awaited<ReturnType<typeof startBatchStack>>;
  let a: Api;

  beforeAll(async () => {
    stack = await startBatchStack(prefix);
    a = stack.a;
  });
  afterAll(() => stack?.close());

  it('takes direct uploads: verifies what landed, keeps wrong bytes out, fails what never came at seal', async () => {
    const batch = await createBatch(a);
    const [good, other, never] = await Promise.all([makeImage(201), makeImage(202), makeImage(203)]);
    const entry = (filename: string, bytes: Buffer) => ({
      filename,
      sha256: sha256(bytes),
      bytes: bytes.length,
      content_type: 'image/jpeg',
    });
    const res = await call<{ uploads: Ticket[]; rejected: unknown[] }>(
      a,
      'POST',
      `/v1/batches/${batch.id}/uploads`,
      {
        files: [
          entry('d/good.jpg', good),
          entry('d/wrong.jpg', other),
          entry('d/never.jpg', never),
          entry('/abs.jpg', good),
        ],
      },
    );
    expect(res.status).toBe(200);
    expect(res.body.rejected).toEqual([
      { filename: '/abs.jpg', error: { code: 'invalid_request', message: expect.any(String) } },
    ]);
    const [tGood, tWrong, tNever] = res.body.uploads;
    expect(tGood).toEqual({
      prediction_id: expect.stringMatching(/^prd_/),
      filename: 'd/good.jpg',
      url: expect.any(String),
      // The URL is bound to the announced bytes: the checksum header is part of its signature.
      headers: {
        'content-type': 'image/jpeg',
        'x-amz-checksum-sha256': Buffer.from(sha256(good), 'hex').toString('base64'),
      },
      expires_at: expect.any(String),
    });
    expect((await fetch(tGood.url!, { method: 'PUT', body: good, headers: tGood.headers })).status).toBe(200);
    expect(
      (
        await fetch(tWrong.url!, {
          method: 'PUT',
          body: Buffer.concat([other, Buffer.from('x')]),
          headers: tWrong.headers,
        })
      ).status,
    ).toBe(200);

    const complete = await call<{
      accepted: PredictionBody[];
      rejected: Array<{ prediction_id: string; error: { code: string } }>;
    }>(a, 'POST', `/v1/batches/${batch.id}/uploads/complete`, {
      prediction_ids: [tGood.prediction_id, tWrong.prediction_id, tNever.prediction_id],
    });
    expect(complete.status).toBe(202);
    expect(complete.body.accepted.map((p) => p.id)).toEqual([tGood.prediction_id]);
    expect(complete.body.accepted[0].image).toEqual({
      sha256: sha256(good),
      bytes: good.length,
      width: 24,
      height: 24,
      format: 'jpeg',
    });
    expect(complete.body.rejected.map((r) => [r.prediction_id, r.error.code])).toEqual([
      [tWrong.prediction_id, 'invalid_request'],
      [tNever.prediction_id, 'upload_missing'],
    ]);
    // Completing again changes nothing; asking again for the same file answers the same prediction.
    const twice = await call<{ accepted: PredictionBody[] }>(
      a,
      'POST',
      `/v1/batches/${batch.id}/uploads/complete`,
      { prediction_ids: [tGood.prediction_id] },
    );
    expect(twice.body.accepted.map((p) => p.id)).toEqual([tGood.prediction_id]);
    const resend = await call<{ uploads: Ticket[] }>(a, 'POST', `/v1/batches/${batch.id}/uploads`, {
      files: [entry('d/good.jpg', good), entry('d/never.jpg', never)],
    });
    expect(resend.body.uploads.map((t) => [t.prediction_id, t.url === null])).toEqual([
      [tGood.prediction_id, true],
      [tNever.prediction_id, false],
    ]);
    const conflict = await call<{ rejected: Array<{ error: { code: string } }> }>(
      a,
      'POST',
      `/v1/batches/${batch.id}/uploads`,
      { files: [entry('d/good.jpg', other)] },
    );
    expect(conflict.body.rejected[0].error.code).toBe('invalid_request');

    await call(a, 'POST', `/v1/batches/${batch.id}/seal`);
    const done = await waitCompleted(a, batch.id);
    expect(done.counts).toEqual({ total: 3, queued: 0, processing: 0, succeeded: 1, failed: 2, canceled: 0 });
    const lines = (await call(a, 'GET', `/v1/batches/${batch.id}/results`)).text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PredictionBody);
    expect(lines.map((p) => [p.filename, p.status, p.error?.code ?? null])).toEqual([
      ['d/good.jpg', 'succeeded', null],
      ['d/wrong.jpg', 'failed', 'upload_missing'],
      ['d/never.jpg', 'failed', 'upload_missing'],
    ]);
    const late = await call<{ rejected: Array<{ error: { code: string } }> }>(
      a,
      'POST',
      `/v1/batches/${batch.id}/uploads/complete`,
      { prediction_ids: [tNever.prediction_id] },
    );
    expect(late.body.rejected[0].error.code).toBe('upload_missing');
  });

  it('exports NDJSON and CSV in creation order, quoted, formula-guarded, one column per class', async () => {
    const batch = await createBatch(a);
    const images = await Promise.all([makeImage(301), makeImage(302), makeImage(303)]);
    const res = await addImages(a, batch.id, [
      { file: '=1+2.jpg', bytes: images[0] },
      { file: 'a,b.jpg', bytes: images[1] },
      { file: 'corrupt.jpg', bytes: images[2].subarray(0, 200) },
    ]);
    const accepted = res.body.accepted as PredictionBody[];
    expect(accepted.length).toBe(3);
    await poll(
      () => call<PredictionBody>(a, 'GET', `/v1/predictions/${accepted[1].id}`),
      (r) => r.body.status === 'succeeded',
    );
    // Bytes already stored need no upload (url null), and these are answered from the stored
    // result; JSON carries a filename with quotes.
    const entry = {
      filename: 'say "hi".jpg',
      sha256: sha256(images[1]),
      bytes: images[1].length,
      content_type: 'image/jpeg',
    };
    const direct = await call<{ uploads: Ticket[] }>(a, 'POST', `/v1/batches/${batch.id}/uploads`, {
      files: [entry],
    });
    expect(direct.body.uploads[0].url).toBeNull();
    await call(a, 'POST', `/v1/batches/${batch.id}/seal`);
    await waitCompleted(a, batch.id);
    const ndjson = await call(a, 'GET', `/v1/batches/${batch.id}/results`);
    expect(ndjson.status).toBe(200);
    expect(ndjson.headers.get('x-batch-status')).toBe('completed');
    expect(ndjson.headers.get('content-type')).toMatch(/application\/x-ndjson/);
    const predictions = ndjson.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as PredictionBody);
    expect(predictions.map((p) => [p.filename, p.status])).toEqual([
      ['=1+2.jpg', 'succeeded'],
      ['a,b.jpg', 'succeeded'],
      ['corrupt.jpg', 'failed'],
      ['say "hi".jpg', 'succeeded'],
    ]);

    const csv = await call(a, 'GET', `/v1/batches/${batch.id}/results?format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const rows = csv.text.split('\r\n');
    expect(rows.pop()).toBe('');
    expect(rows).toHaveLength(5);
    const labels = predictions[0].result!.probabilities.map((p) => p.label);
    expect(labels).toHaveLength(12);
    expect(rows[0]).toBe(
      [
        'prediction_id',
        'filename',
        'status',
        'label',
        'confidence',
        ...labels,
        'error_code',
        'error_message',
        'sha256',
        'cached',
        'study_instance_uid',
        'series_instance_uid',
        'sop_instance_uid',
        'accession_number',
      ].join(','),
    );
    expect(rows[1].startsWith(`${predictions[0].id},'=1+2.jpg,succeeded,`)).toBe(true);
    const probs = predictions[1].result!.probabilities.map((p) => JSON.stringify(p.probability));
    expect(rows[2]).toBe(
      [
        predictions[1].id,
        '"a,b.jpg"',
        'succeeded',
        predictions[1].result!.probabilities.find(
          (p) =>
            p.probability === Math.max(...predictions[1].result!.probabilities.map((q) => q.probability)),
        )!.label,
        JSON.stringify(Math.max(...predictions[1].result!.probabilities.map((q) => q.probability))),
        ...probs,
        '',
        '',
        predictions[1].image.sha256,
        'false',
        '',
        '',
        '',
        '',
      ].join(','),
    );
    expect(rows[3]).toMatch(
      new RegExp(`^${predictions[2].id},corrupt\\.jpg,failed,${',{14}'}invalid_image,`),
    );
    expect(rows[4].startsWith(`${predictions[3].id},"say ""hi"".jpg",succeeded,`)).toBe(true);
    expect(rows[4].endsWith(',true,,,,')).toBe(true);
    expect((await call(a, 'GET', `/v1/batches/${batch.id}/results?format=xml`)).status).toBe(400);
  });
});
