import type { Redis } from 'ioredis';
import type { FailureCode } from '../prediction.types';
import { RedisKeys } from '../redis-keys';
import { eventMember } from '../reliability/outbox-entry';
import { BatchKeys } from './batch.keys';
import { CANCEL_BATCH, CANCEL_QUEUED, FINISH_RETRY, RETRY_FAILED } from './batch-control.scripts';

/**
 * How long a retry's lease holds the batch back from completing without being renewed (each page
 * renews it; a page waits at most a few seconds for locked jobs). A retry that dies is finished by
 * the reconciler once it runs out.
 */
const RETRY_LEASE_MS = 120_000;

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

  /**
   * `missing`: no such batch for this tenant; `completed`: nothing left to cancel (it had
   * completed); else `marked`, with the batch.completed it owes in `outbox` when marking it
   * completed it (nothing was left to run): relay it.
   */
  async markCanceled(
    tenant: string,
    batchId: string,
    now = new Date(),
  ): Promise<{ state: 'missing' | 'completed' | 'marked'; outbox: string[] }> {
    const b = this.batchKeys;
    const at = now.toISOString();
    const code = await CANCEL_BATCH.run(
      this.redis,
      [b.batch(batchId), b.pending(batchId), this.keys.work, this.keys.outbox],
      [tenant, at, batchId, Date.now() + this.reconcileAfterMs, this.keys.finalChannel],
    );
    if (code === -1) return { state: 'missing', outbox: [] };
    if (code === 0) return { state: 'completed', outbox: [] };
    const outbox =
      code === 2 ? [eventMember({ type: 'batch.completed', tenant, batchId, occurredAt: at })] : [];
    return { state: 'marked', outbox };
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

  /**
   * Those of `ids` re-queued (they had failed with one of `codes`), or null when the batch is gone.
   * Each call renews the retry's lease; end it with finishRetry once the last page is done.
   */
  async retryFailed(
    tenant: string,
    batchId: string,
    ids: readonly string[],
    codes: readonly FailureCode[],
  ): Promise<string[] | null> {
    const requeued = (await RETRY_FAILED.run(
      this.redis,
      [this.batchKeys.batch(batchId), this.keys.work, ...ids.map((id) => this.keys.prediction(id))],
      [
        tenant,
        batchId,
        codes.join(','),
        Date.now() + this.reconcileAfterMs,
        Date.now() + RETRY_LEASE_MS,
        ...ids,
      ],
    )) as string[] | number;
    return typeof requeued === 'number' ? null : requeued;
  }

  /**
   * Ends a retry's lease and completes the batch when everything has ended meanwhile. `force`:
   * the retry holding it is done (its last page); without it (the reconciler) a lease still
   * running is left alone (`running`). The outbox members to relay come with `ended`.
   */
  async finishRetry(
    batchId: string,
    force: boolean,
    now = new Date(),
  ): Promise<{ state: 'none' | 'running' } | { state: 'ended'; outbox: string[] }> {
    const tenant = await this.redis.hget(this.batchKeys.batch(batchId), 'tenant');
    if (!tenant) return { state: 'none' };
    const at = now.toISOString();
    const code = await FINISH_RETRY.run(
      this.redis,
      [this.batchKeys.batch(batchId), this.keys.outbox],
      [tenant, batchId, at, Date.now() + this.reconcileAfterMs, this.keys.finalChannel, force ? '1' : '0'],
    );
    if (code === 0) return { state: 'none' };
    if (code === -1) return { state: 'running' };
    const outbox =
      code === 2 ? [eventMember({ type: 'batch.completed', tenant, batchId, occurredAt: at })] : [];
    return { state: 'ended', outbox };
  }
}
