import { type BatchManifest, hasPrefix } from '@dermafleet/jobs';
import { type ObjectStore, objectKeys } from '@dermafleet/storage';

/**
 * A completed batch's S3 manifest (BatchManifest), read under the tenant's own key: another
 * tenant's batch, or one that never completed, is simply not found. What GET and DELETE of a
 * batch fall back on once its Redis keys have expired with the retention.
 */
export async function readStoredManifest(
  store: ObjectStore,
  tenant: string,
  batchId: string,
): Promise<BatchManifest | null> {
  if (!hasPrefix(batchId, 'bat')) return null;
  const manifest = await store.getJson<BatchManifest>(objectKeys.batchManifest(tenant, batchId));
  return manifest?.batch?.id === batchId && Array.isArray(manifest.prediction_ids) ? manifest : null;
}
