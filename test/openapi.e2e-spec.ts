import { contractRegistry } from '../apps/api/src/openapi/contract.paths';
import { type RunningApp, startApi } from './harness/stack';
import { uniquePrefix } from './harness/test-env';

/** The running API serves the document generated from the zod schemas, at /docs-json and /docs, without a key. */
describe('OpenAPI document', () => {
  let api: RunningApp;
  beforeAll(async () => {
    api = await startApi(uniquePrefix('openapi'), { API_KEYS: 'tenant_a:openapi-key-1234' });
  });
  afterAll(() => api?.close());

  it('serves every documented path at /docs-json, and the UI at /docs', async () => {
    const res = await fetch(`${api.url}/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).sort()).toEqual(
      Object.keys(contractRegistry().document().paths ?? {}).sort(),
    );
    expect((await fetch(`${api.url}/docs`)).status).toBe(200);
  });
});
