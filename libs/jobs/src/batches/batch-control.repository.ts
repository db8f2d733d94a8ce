import type { Redis } from 'ioredis';
import type { FailureCode } from '../prediction.types';
import { RedisKeys } from '../redis-keys';
import { eventMember } from '../reliability/outbox-entry';
import { BatchKeys } from './batch.keys';
import { CANCEL_BATCH, CANCEL_QUEUED, RETRY_FAILED } from './batch-control.scripts';

/** Pending uploads cancelled per Lua call. */
const PENDING_PAGE = 500;

/** `transient`: failures that a second run can cure; `all`: every failure that has an image to run. */
export type RetryScope = 'transient' | 'all';

/**
 * The failure codes a retry re-runs. `inference_failed` is the one that says nothing about the
 * image (storage or Redis down through every attempt, a model that could not run). The image's own
 * failures (invalid_image, image_too_large, worker_crashed: it took a worker down on every attempt)
 * are re-run only on request, and `upload_missing` never: there is no image to run.
 */
export function retryableCodes(scope: RetryScope): FailureCode[] {
  return scope === 'all'
    ? ['inference_failed', 'invalid_image', 'image_too_large', 'worker_crashed']
    : ['inference_failed'];
}

export interface CancelPageOutcome {
  /** The predictions this call moved from queued to canceled. */
  canceled: string[];
  /** True when this call completed the batch (its batch.completed is in `outbox`). */
  completed: boolean;
  /** What the change owes, already in the outbox: relay it at once. */
  outbox: string[];
}

/**
 * Ends the queued ones among `ids` (all of one canceled batch) as `canceled` and completes the
 * batch when nothing is left to run (CANCEL_QUEUED). Null when the batch is gone.
 */
export async function cancelQueuedPredictions(
  redis: Redis,
  keys: RedisKeys,
  tenant: string,
  batchId: string,
  ids: readonly string[],
  dueMs: number,
  now = new Date(),
): Promise<CancelPageOutcome | null> {
  const b = new BatchKeys(keys);
  const at = now.toISOString();
  const [completed, ...canceled] = (await CANCEL_QUEUED.run(
    redis,
    [b.batch(batchId), keys.work, keys.outbox, b.pending(batchId), ...ids.map((id) => keys.prediction(id))],
    [tenant, batchId, at, dueMs, keys.finalChannel, ...ids],
  )) as [number, ...string[]];
  if (completed < 0) return null;
  const outbox =
    completed === 1 ? [eventMember({ type: 'batch.completed', tenant, batchId, occurredAt: at })] : [];
  return { canceled, completed: completed === 1, outbox };
}

/**
 * The Redis side of cancelling and retrying a batch's predictions. Callers walk the batch's items
 * in pages (BatchRepository.itemsPage) and hand each page here; every call is atomic and
 * idempotent on its own (batch-control.scripts.ts).
 */
export class BatchControlRepository {
  private readonly batchKeys: BatchKeys;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    /** When the reconciler looks at a re-queued prediction the caller did not enqueue. */
    private readonly reconcileAfterMs = 60_000,
  ) {
    this.batchKeys = new BatchKeys(keys);
  }

  /** `missing`: no such batch for this tenant; `completed`: nothing left to cancel; else `marked`. */
  async markCanceled(
    tenant: string,
    batchId: string,
    now = new Date(),
  ): Promise<'missing' | 'completed' | 'marked'> {
    const b = this.batchKeys;
    const code = await CANCEL_BATCH.run(
      this.redis,
      [b.batch(batchId), b.pending(batchId), this.keys.work],
      [tenant, now.toISOString(), batchId, Date.now() + this.reconcileAfterMs],
    );
    return code === -1 ? 'missing' : code === 0 ? 'completed' : 'marked';
  }

  cancelQueued(
    tenant: string,
    batchId: string,
    ids: readonly string[],
    now = new Date(),
  ): Promise<CancelPageOutcome | null> {
    return cancelQueuedPredictions(
      this.redis,
      this.keys,
      tenant,
      batchId,
      ids,
      Date.now() + this.reconcileAfterMs,
      now,
    );
  }

  /**
   * For a canceled batch: ends its predictions still waiting for their direct upload `canceled`
   * (the reconciler's half of a cancel whose request died). Returns the outbox members to relay,
   * or null when the batch is not canceled (its pending uploads fail with upload_missing instead).
   */
  async cancelPending(batchId: string): Promise<string[] | null> {
    const [tenant, canceledAt] = await this.redis.hmget(
      this.batchKeys.batch(batchId),
      'tenant',
      'canceled_at',
    );
    if (!tenant || !canceledAt) return null;
    const outbox: string[] = [];
    for (;;) {
      const ids = await this.redis.srandmember(this.batchKeys.pending(batchId), PENDING_PAGE);
      const outcome = await this.cancelQueued(tenant, batchId, ids);
      outbox.push(...(outcome?.outbox ?? []));
      // Nothing canceled: the rest are not queued (claimed, ended) or the batch is gone.
      if (!ids.length || !outcome?.canceled.length) return outbox;
    }
  }

  /** Those of `ids` re-queued (they had failed with one of `codes`), or null when the batch is gone. */
  async retryFailed(
    tenant: string,
    batchId: string,
    ids: readonly string[],
    codes: readonly FailureCode[],
  ): Promise<string[] | null> {
    const requeued = (await RETRY_FAILED.run(
      this.redis,
      [this.batchKeys.batch(batchId), this.keys.work, ...ids.map((id) => this.keys.prediction(id))],
      [tenant, batchId, codes.join(','), Date.now() + this.reconcileAfterMs, ...ids],
    )) as string[] | number;
    return typeof requeued === 'number' ? null : requeued;
  }
}
