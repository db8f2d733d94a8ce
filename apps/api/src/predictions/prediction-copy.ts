import type { Prediction } from '@dermafleet/jobs';
import { type ObjectStore, objectKeys } from '@dermafleet/storage';

/**
 * A prediction's durable S3 copy (what answers once its record has left Redis), read under the
 * tenant's own key: another tenant's id is simply not found.
 */
export function readPredictionCopy(
  store: ObjectStore,
  tenant: string,
  id: string,
): Promise<Prediction | null> {
  return store.getJson<Prediction>(objectKeys.result(tenant, id));
}
