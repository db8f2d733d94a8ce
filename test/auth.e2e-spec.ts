import { join } from 'node:path';
import { getJson, uploadFile } from './harness/http';
import { RunningApp, startApi } from './harness/stack';
import { fixturesDir, uniquePrefix } from './harness/test-env';

/** Bearer keys to tenants, exactly as CONTRACT.md "Authentication and tenants" says. */
describe('authentication and tenants', () => {
  const prefix = uniquePrefix('auth');
  let api: RunningApp;
  const image = join(fixturesDir, 'images', 'grey_300x400.jpg');
  const asA = { authorization: 'Bearer key-of-tenant-a-1234' };
  const asB = { authorization: 'Bearer key-of-tenant-b-5678' };

  beforeAll(async () => {
    api = await startApi(prefix, { API_KEYS: 'tenant_a:key-of-tenant-a-1234,tenant_b:key-of-tenant-b-5678' });
  });
  afterAll(() => api?.close());

  it('answers 401 unauthorized without a key, and with a wrong one', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong-key-000000' },
      { authorization: 'Basic abc' },
    ]) {
      const res = await uploadFile(api.url, image, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      const get = await getJson(`${api.url}/v1/predictions/prd_xxxxxxxxxxxxxxxxxxxxxx`, headers);
      expect(get.status).toBe(401);
    }
  });

  it("shows a tenant its own prediction and answers another tenant's id exactly like an unknown one", async () => {
    const res = await uploadFile(api.url, image, { headers: asA });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await getJson(`${api.url}/v1/predictions/${id}`, asA)).status).toBe(200);
    const other = await getJson(`${api.url}/v1/predictions/${id}`, asB);
    const unknown = await getJson(`${api.url}/v1/predictions/prd_AAAAAAAAAAAAAAAAAAAAAA`, asB);
    expect(other.status).toBe(404);
    expect(other.body).toEqual(unknown.body);
  });

  it('needs no key for health, readiness, metrics and the OpenAPI document', async () => {
    expect((await fetch(`${api.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${api.url}/health/ready`)).status).toBe(200);
    const metrics = await fetch(`${api.url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('dermafleet_');
    const doc = await getJson<{ paths: Record<string, unknown> }>(`${api.url}/docs-json`);
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/predictions', '/v1/predictions/{id}']),
    );
    expect((await fetch(`${api.url}/docs`)).status).toBe(200);
  });
});

describe('without configured keys', () => {
  let api: RunningApp;
  beforeAll(async () => {
    api = await startApi(uniquePrefix('noauth'));
  });
  afterAll(() => api?.close());

  it('runs as the single tenant "default" with no auth', async () => {
    const res = await uploadFile(api.url, join(fixturesDir, 'images', 'grey_300x400.jpg'));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    expect((await getJson(`${api.url}/v1/predictions/${id}`)).status).toBe(200);
  });
});
