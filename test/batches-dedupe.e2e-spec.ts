import { Queue } from 'bullmq';
import { type Api, call, makeImage, type PredictionBody, startBatchStack } from './harness/batch-api';
import { infra, poll, uniquePrefix } from './harness/test-env';

/** Deduplication of identical bytes and Idempotency-Key replays on POST /v1/predictions. */
describe('dedupe', () => {
  const prefix = uniquePrefix('dedupe');
  let stack: Awaited<ReturnType<typeof startBatchStack>>;
  let a: Api;
  let b: Api;

  beforeAll(async () => {
    stack = await startBatchStack(prefix);
    ({ a, b } = stack);
  });
  afterAll(() => stack?.close());

  it('answers identical bytes from the stored result (cached, no second inference) and replays an Idempotency-Key', async () => {
    const bytes = await makeImage(401);
    const upload = (headers: Record<string, string> = {}) => {
      const form = new FormData();
      form.append('image', new Blob([bytes]), 'same.jpg');
      return fetch(`${a.url}/v1/predictions`, {
        method: 'POST',
        body: form,
        headers: { ...a.headers, ...headers },
      });
    };
    const first = (await (await upload()).json()) as PredictionBody;
    await poll(
      () => call<PredictionBody>(a, 'GET', `/v1/predictions/${first.id}`),
      (r) => r.body.status === 'succeeded',
    );
    const again = await upload();
    expect(again.status).toBe(202);
    const cached = (await again.json()) as PredictionBody;
    expect(cached.id).not.toBe(first.id);
    expect(cached.status).toBe('succeeded');
    expect(cached.result?.cached).toBe(true);
    const original = await call<PredictionBody>(a, 'GET', `/v1/predictions/${first.id}`);
    expect(cached.result?.probabilities).toEqual(original.body.result?.probabilities);
    const queue = new Queue('inference', { connection: { url: infra().redisUrl }, prefix: `${prefix}:bull` });
    expect(await queue.getJob(cached.id)).toBeUndefined();
    // Another tenant's identical bytes are inferred for that tenant.
    const form = new FormData();
    form.append('image', new Blob([bytes]), 'same.jpg');
    const otherTenant = (await (
      await fetch(`${a.url}/v1/predictions`, { method: 'POST', body: form, headers: b.headers })
    ).json()) as PredictionBody;
    expect(otherTenant.status).toBe('queued');
    expect(await queue.getJob(otherTenant.id)).toBeTruthy();
    await queue.close();

    const key = { 'idempotency-key': `order-${prefix}` };
    const r1 = await upload(key);
    const r2 = await upload(key);
    expect([r1.status, r2.status]).toEqual([202, 200]);
    const [p1, p2] = (await Promise.all([r1.json(), r2.json()])) as PredictionBody[];
    expect(p2.id).toBe(p1.id);
    expect(r2.headers.get('location')).toBe(`/v1/predictions/${p1.id}`);
    const r3 = await fetch(`${a.url}/v1/predictions`, {
      method: 'POST',
      body: new FormData(),
      headers: { ...b.headers, ...key },
    });
    expect(r3.status).toBe(400); // another tenant's same key is its own key
  });
});
