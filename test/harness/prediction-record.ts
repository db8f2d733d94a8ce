import {
  type BatchRecord,
  type BatchRepository,
  newId,
  type PredictionRecord,
  type PredictionResult,
} from '@dermafleet/jobs';
import { objectKeys } from '@dermafleet/storage';

/**
 * An open batch of `tenant` for the tests that drive the Redis scripts directly: no name, no
 * metadata, and no webhook unless one is given (notified on completion unless `notify` says each).
 */
export function createBatch(
  batches: BatchRepository,
  tenant = 'tenant_a',
  webhook: { webhookUrl: string | null; notify: 'batch' | 'each' } = { webhookUrl: null, notify: 'batch' },
): Promise<BatchRecord> {
  return batches.create({ tenant, name: null, metadata: {}, ...webhook });
}

/**
 * A queued prediction record of batch `batchId` for the tests that drive the Redis scripts
 * directly: its image (a fake sha256 from `i`) is never read, only counted.
 */
export function queuedRecord(batchId: string, i: number, tenant = 'tenant_a'): PredictionRecord {
  return {
    id: newId('prd'),
    status: 'queued',
    created_at: new Date().toISOString(),
    completed_at: null,
    batch_id: batchId,
    filename: `dir/IMG_${i}.jpg`,
    metadata: {},
    image: { sha256: i.toString(16).padStart(64, '0'), bytes: 1, width: 1, height: 1, format: 'jpeg' },
    result: null,
    error: null,
    attempts: 1,
    tenant,
    imageKey: `images/${tenant}/${i}`,
    priority: 'bulk',
    webhookUrl: null,
  };
}

/** A queued prediction outside any batch whose image is `sha256` (stored under its content address). */
export function queuedRecordOfImage(id: string, tenant: string, sha256: string): PredictionRecord {
  return {
    ...queuedRecord('', 0, tenant),
    id,
    batch_id: null,
    filename: null,
    image: { sha256, bytes: 1, width: 1, height: 1, format: 'jpeg' },
    imageKey: objectKeys.image(tenant, sha256),
  };
}

/** A fresh (not cached) two-class result of model version `version`, for the scripts' tests. */
export function freshResult(version: string): PredictionResult {
  return {
    label: 'nevus',
    confidence: 0.75,
    probabilities: [
      { label: 'melanoma', probability: 0.25 },
      { label: 'nevus', probability: 0.75 },
    ],
    model: { id: 'm', version },
    preprocessing: { mode: 'exact', auto_orient: false },
    cached: false,
  };
}
