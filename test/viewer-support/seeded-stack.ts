import { addImages, type Api, call, createBatch, type FormPart, waitCompleted } from '../harness/batch-api';
import { startApi, startWorker } from '../harness/stack';
import { seedFiles } from './seed-images';

export const TENANT_KEYS = {
  a: 'viewer-key-of-tenant-a',
  b: 'viewer-key-of-tenant-b',
};

/** The real API and worker (two tenants), plus one completed batch of seed images for tenant a. */
export async function startSeededStack(prefix: string, extra: Record<string, string> = {}) {
  const env = { API_KEYS: `tenant_a:${TENANT_KEYS.a},tenant_b:${TENANT_KEYS.b}`, ...extra };
  const api = await startApi(prefix, env);
  const worker = await startWorker(prefix, env);
  const a: Api = { url: api.url, headers: { authorization: `Bearer ${TENANT_KEYS.a}` } };
  const b: Api = { url: api.url, headers: { authorization: `Bearer ${TENANT_KEYS.b}` } };
  const close = async (): Promise<void> => {
    await worker.close();
    await api.close();
  };
  try {
    const files = await seedFiles();
    const batch = await createBatch(a, { name: 'Dermoscopy archive 2019' });
    const parts: FormPart[] = files.flatMap((f) => [
      { field: 'metadata', value: JSON.stringify({ accession: f.accession }) },
      { file: f.file, bytes: f.bytes },
    ]);
    const added = await addImages(a, batch.id, parts);
    if (added.status !== 202) throw new Error(`adding images answered ${added.status}`);
    await call(a, 'POST', `/v1/batches/${batch.id}/seal`);
    const completed = await waitCompleted(a, batch.id);
    return { url: api.url, a, b, batch: completed, files, close };
  } catch (err) {
    await close();
    throw err;
  }
}
