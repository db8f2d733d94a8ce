import { join } from 'node:path';
import { getJson, uploadFile } from './harness/http';
import { RunningApp, startApi, startWorker } from './harness/stack';
import { fixturesDir, poll, uniquePrefix } from './harness/test-env';
import { WebhookReceiver } from './harness/webhook-receiver';

interface DeliveryBody {
  url: string;
  status: string;
  attempts: number;
  last_error: string | null;
  last_status_code: number | null;
}

/** Without WEBHOOK_ALLOW_PRIVATE (production), nothing reaches a loopback receiver. */
describe('webhooks: SSRF guard (WEBHOOK_ALLOW_PRIVATE unset)', () => {
  const prefix = uniquePrefix('whkssrf');
  const image = join(fixturesDir, 'images', 'grey_300x400.jpg');
  let api: RunningApp;
  let worker: RunningApp;
  const receiver = new WebhookReceiver([]);

  beforeAll(async () => {
    const env = { WEBHOOK_RETRY_SCHEDULE_MS: '100,200' };
    api = await startApi(prefix, env);
    worker = await startWorker(prefix, env); // after the API: both create the bucket, and racing that fails
    await receiver.start();
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await receiver.stop();
  });

  it('refuses IP literals in forbidden ranges at submission, in any spelling', async () => {
    const port = receiver.port;
    for (const url of [
      `http://127.0.0.1:${port}/`,
      `http://2130706433:${port}/`,
      `http://0x7f000001:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.8/hook',
      'http://metadata.google.internal/',
    ]) {
      const res = await uploadFile(api.url, image, { fields: { webhook_url: url } });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect([url, res.status, body.error.code]).toEqual([url, 400, 'invalid_request']);
    }
  });

  it('refuses at delivery a name that resolves to loopback: the receiver gets nothing, the delivery fails', async () => {
    const url = `http://localhost:${receiver.port}/hook`;
    const res = await uploadFile(api.url, image, { fields: { webhook_url: url } });
    expect(res.status).toBe(202);
    const { body } = await poll(
      () => getJson<{ deliveries: DeliveryBody[] }>(`${api.url}/v1/webhooks/deliveries`),
      (r) => r.body.deliveries.some((d) => d.url === url && d.status !== 'pending'),
      20_000,
    );
    expect(body.deliveries.find((d) => d.url === url)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'destination_forbidden',
      last_status_code: null,
    });
    // No retries for a forbidden destination: past the whole schedule, still nothing arrived.
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.received).toHaveLength(0);
  });
});
