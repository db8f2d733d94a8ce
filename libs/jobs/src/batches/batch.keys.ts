import type { PredictionResult } from '../prediction.types';
import { modelRef } from '../records/record-codec';
import { RedisKeys } from '../redis-keys';

/**
 * Redis keys of batches, dedupe and intake, under the deployment's KEY_PREFIX (beside RedisKeys'
 * records). Tenant names are restricted to [A-Za-z0-9_-] by configuration, so they cannot forge
 * a key; model versions are `sha256:<hex>`.
 */
export class BatchKeys {
  constructor(private readonly keys: RedisKeys) {}

  /** Hash: the batch record and its counters (RedisKeys.batch: `<prefix>:bat:<id>`). */
  batch(id: string): string {
    return this.keys.batch(id);
  }

  /** List: the batch's prediction ids in creation order (results export pages through it). */
  items(id: string): string {
    return `${this.keys.batch(id)}:items`;
  }

  /** Hash: filename -> prediction id, so re-sending a file after a crash finds its prediction. */
  names(id: string): string {
    return `${this.keys.batch(id)}:names`;
  }

  /** Set: predictions still waiting for their direct upload (failed with upload_missing at seal). */
  pending(id: string): string {
    return `${this.keys.batch(id)}:pending`;
  }

  /** Sorted set (all scores 0, members `<inverted created ms>|<id>`): a tenant's batches, newest first. */
  tenantIndex(tenant: string): string {
    return `${this.keys.prefix}:bats:${tenant}`;
  }

  /** String: the prediction whose stored result answers this image for this model and preprocessing. */
  dedupe(tenant: string, sha256: string, modelVersion: string, mode: string, autoOrient: boolean): string {
    return this.dedupeName(tenant, sha256, modelRef(modelVersion), `${mode[0]}${autoOrient ? 1 : 0}`);
  }

  /**
   * Short (one is kept per distinct image for RETENTION_DAYS): the sha256 as base64url, the
   * model as 64 bits of its version, mode and auto-orient as two characters (`e0`, `f1`...).
   */
  private dedupeName(tenant: string, sha256: string, ref: string, flags: string): string {
    const image = /^[0-9a-f]{64}$/.test(sha256) ? Buffer.from(sha256, 'hex').toString('base64url') : sha256;
    return `${this.keys.prefix}:dedupe:${tenant}:${image}:${ref}:${flags}`;
  }

  /**
   * The dedupe key a stored result of this image wrote (FINISH, for a fresh success), from the
   * record's compact result (`~<model ref>|<mode e/f><auto_orient 0/1>...`, record-codec.ts):
   * computed for erasure rather than kept in every record (issue 12: Redis per prediction). Null
   * for no result.
   */
  dedupeOfResult(tenant: string, sha256: string, result: string | null | undefined): string | null {
    if (result?.startsWith('{')) {
      try {
        const r = JSON.parse(result) as PredictionResult;
        return this.dedupe(
          tenant,
          sha256,
          r.model.version,
          r.preprocessing.mode,
          r.preprocessing.auto_orient,
        );
      } catch {
        return null;
      }
    }
    const m = /^~([^|]+)\|([ef][01])/.exec(result ?? '');
    return m ? this.dedupeName(tenant, sha256, m[1], m[2]) : null;
  }

  /** String (JSON): the model that produced the latest result, {id, version, preprocessing, labels}. */
  get currentModel(): string {
    return `${this.keys.prefix}:model:current`;
  }

  /** String: Idempotency-Key of POST /v1/predictions (hashed) -> the prediction it created. */
  idempotency(tenant: string, keyHash: string): string {
    return `${this.keys.prefix}:idem:${tenant}:${keyHash}`;
  }
}
