import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startChildApp, waitForOutput, type ChildApp } from './harness/child-app';
import { getJson, uploadPrediction } from './harness/http';
import { appEnv, poll, uniquePrefix } from './harness/test-env';
import { WebhookReceiver } from './harness/webhook-receiver';
import { distinctJpegs } from './worker-support/distinct-images';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Line = Record<string, unknown> & { msg?: string; res?: { status?: number } };

/**
 * LOG_FORMAT=json on the real API and worker processes: one JSON line per event, carrying the
 * request id, tenant and prediction id, and never an API key, a webhook secret, a signature or
 * image bytes, whatever happened (a good key, a wrong key, a signed webhook delivery).
 */
describe('JSON logs (pino through nestjs-pino)', () => {
  const prefix = uniquePrefix('logs');
  const apiKey = `key-${randomBytes(12).toString('hex')}`;
  const wrongKey = `wrong-${randomBytes(12).toString('hex')}`;
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const receiver = new WebhookReceiver([secret]);
  let api: ChildApp;
  let worker: ChildApp;

  afterAll(async () => {
    for (const app of [worker, api]) {
      if (app && app.child.exitCode === null) {
        app.child.kill('SIGTERM');
        await app.exited;
      }
    }
    await receiver.stop();
  });

  it('logs JSON lines with ids, and no key, secret, signature or image bytes', async () => {
    await receiver.start();
    const port = await freePort();
    const env = appEnv(prefix, {
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'debug',
      API_KEYS: `tenant_a:${apiKey}`,
      WEBHOOK_SECRETS: `tenant_a:${secret}`,
      WEBHOOK_ALLOW_PRIVATE: 'true',
      PORT: String(port),
      WORKER_PORT: '0',
    });
    api = startChildApp('api', env);
    worker = startChildApp('worker', env);
    await waitForOutput(api, /Listening on/, 90_000);
    await waitForOutput(worker, /Consuming/, 90_000);
    const url = `http://127.0.0.1:${port}`;

    const [image] = await distinctJpegs(1, 48, 48);
    const res = await uploadPrediction(url, image, {
      filename: 'lesion.jpg',
      fields: { webhook_url: `${receiver.url}/hook` },
      headers: { authorization: `Bearer ${apiKey}`, 'x-request-id': 'req-logs-1' },
    });
    expect(res.status).toBe(202);
    expect(res.headers.get('x-request-id')).toBe('req-logs-1');
    const id = ((await res.json()) as { id: string }).id;
    const denied = await fetch(`${url}/v1/predictions/${id}`, {
      headers: { authorization: `Bearer ${wrongKey}` },
    });
    expect(denied.status).toBe(401);
    await poll(
      () => getJson<{ status: string }>(`${url}/v1/predictions/${id}`, { authorization: `Bearer ${apiKey}` }),
      (r) => r.body.status === 'succeeded',
      60_000,
    );
    const [hook] = await poll(
      async () => receiver.at('/hook'),
      (h) => h.length > 0,
      30_000,
    );
    const signature = String(hook.headers['webhook-signature']);
    expect(signature).toMatch(/^v1,/);

    for (const app of [worker, api]) {
      app.child.kill('SIGTERM');
      await app.exited;
    }
    const apiLines = parseLines(api.output());
    const workerLines = parseLines(worker.output());

    // The upload's request line: request id, tenant, prediction id, status.
    expect(apiLines).toContainEqual(
      expect.objectContaining({
        request_id: 'req-logs-1',
        tenant: 'tenant_a',
        prediction_id: id,
        res: { status: 202 },
      }),
    );
    expect(apiLines.some((l) => l.res?.status === 401)).toBe(true);
    // The worker's line for that prediction's job.
    expect(workerLines).toContainEqual(expect.objectContaining({ prediction_id: id, tenant: 'tenant_a' }));

    const all = `${api.output()}\n${worker.output()}`;
    for (const forbidden of [
      apiKey,
      wrongKey,
      secret,
      secret.slice('whsec_'.length),
      signature.slice(3),
      image.toString('base64').slice(0, 40),
      image.toString('hex').slice(0, 40),
    ]) {
      expect(all).not.toContain(forbidden);
    }
  });
});

/** Every line of a process's output must be one JSON object (one event). */
function parseLines(output: string): Line[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Line;
      } catch {
        throw new Error(`Not a JSON log line: ${line}`);
      }
    });
}
