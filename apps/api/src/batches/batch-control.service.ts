import { Injectable, Logger } from '@nestjs/common';
import {
  type Batch,
  BatchControlRepository,
  BatchRepository,
  retryableCodes,
  type RetryScope,
} from '@dermafleet/jobs';
import { ApiError } from '../errors/api-error';
import { PredictionEventsService } from '../predictions/prediction-events.service';
import { InferenceQueueService } from '../queue/inference-queue.service';
import type { RetryResult } from './batch-control.schema';

/** Items per Lua call while walking a batch (a page of 500 keeps each call well under a millisecond or so). */
const PAGE = 500;

/** How long a retry waits for a failed prediction's job to be released by its worker. */
const LOCKED_WAIT_MS = 5000;

/**
 * POST /v1/batches/{id}/cancel and /retry. Both walk the batch's items in pages; each page is one
 * atomic, idempotent Lua call (libs/jobs batch-control.scripts.ts), so a crash between pages
 * leaves nothing half-written: a canceled batch's remaining queued predictions are ended by the
 * worker that picks them up (START answers "batch canceled") or by a repeated request, and a
 * re-queued prediction whose job was not added yet is enqueued by the reconciler from the work index.
 */
@Injectable()
export class BatchControlService {
  private readonly logger = new Logger('BatchControl');

  constructor(
    private readonly batches: BatchRepository,
    private readonly control: BatchControlRepository,
    private readonly queue: InferenceQueueService,
    private readonly events: PredictionEventsService,
  ) {}

  /**
   * Queued predictions end `canceled` (their jobs are dropped), running ones finish; the batch is
   * sealed and completes when the last one ends, with one batch.completed. Idempotent.
   */
  async cancel(tenant: string, id: string): Promise<Batch> {
    const marked = await this.control.markCanceled(tenant, id);
    if (marked.state === 'missing') throw ApiError.notFound('batch');
    await this.events.relayNow(marked.outbox);
    if (marked.state === 'marked') await this.cancelQueued(tenant, id);
    return this.read(tenant, id);
  }

  /** Re-queues, in place, the failed predictions that `which` names; answers how many. */
  async retry(tenant: string, id: string, which: RetryScope): Promise<RetryResult> {
    const batch = await this.batches.get(tenant, id);
    if (!batch) throw ApiError.notFound('batch');
    const codes = retryableCodes(which);
    let retried = 0;
    for (let start = 0; batch.counts.failed > 0; start += PAGE) {
      const items = await this.batches.itemsPage(id, start, PAGE);
      if (!items.length) break;
      const eligible = items.flatMap(({ record }) =>
        record?.status === 'failed' && record.error && codes.includes(record.error.code) ? [record] : [],
      );
      if (!eligible.length) continue;
      const locked = new Set(await this.removeFinishedJobs(eligible.map((r) => r.id)));
      const ready = eligible.filter((r) => !locked.has(r.id));
      const requeued = await this.control.retryFailed(
        tenant,
        id,
        ready.map((r) => r.id),
        codes,
      );
      if (requeued === null) throw ApiError.notFound('batch');
      const priorities = new Map(ready.map((r) => [r.id, r.priority]));
      await this.enqueue(
        tenant,
        requeued.map((predictionId) => ({ predictionId, priority: priorities.get(predictionId) ?? 'bulk' })),
      );
      retried += requeued.length;
    }
    // The last page is re-queued: the batch may complete again (at once, when every re-run
    // prediction has already ended).
    const finished = await this.control.finishRetry(id, true);
    if (finished.state === 'ended') await this.events.relayNow(finished.outbox);
    return { retried };
  }

  /**
   * The old job must go before a new one can take its id. A job still locked belongs to a worker
   * between failing the prediction and finishing the job (milliseconds): it is waited for a little,
   * then left for a later retry. Returns the ids still locked.
   */
  private async removeFinishedJobs(ids: string[]): Promise<string[]> {
    let locked = await this.queue.removeJobs(ids);
    for (let wait = 0; locked.length && wait < LOCKED_WAIT_MS; wait += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      locked = await this.queue.removeJobs(locked);
    }
    return locked;
  }

  private async cancelQueued(tenant: string, id: string): Promise<void> {
    const batch = await this.batches.get(tenant, id);
    const walk = (batch?.counts.queued ?? 0) > 0;
    for (let start = 0; walk; start += PAGE) {
      const ids = await this.batches.itemIds(id, start, PAGE);
      if (!ids.length) break;
      const outcome = await this.control.cancelQueued(tenant, id, ids);
      if (!outcome) return;
      await this.queue.removeJobs(outcome.canceled);
      await this.events.relayNow(outcome.outbox);
    }
    // Completes a batch with nothing left to run (an empty one, or one whose last was canceled above).
    const last = await this.control.cancelQueued(tenant, id, []);
    if (last) await this.events.relayNow(last.outbox);
  }

  /**
   * The records are committed and the work index owns them: a failed enqueue is the reconciler's
   * to finish, not an error for the client (who would retry into nothing new).
   */
  private async enqueue(
    tenant: string,
    jobs: Array<{ predictionId: string; priority: 'interactive' | 'bulk' }>,
  ): Promise<void> {
    try {
      await this.queue.enqueueClassifyMany(
        jobs.map(({ predictionId, priority }) => ({ payload: { predictionId, tenant }, priority })),
      );
    } catch (err) {
      this.logger.warn(
        `Enqueue of ${jobs.length} retried predictions deferred to the reconciler: ${(err as Error).message}`,
      );
    }
  }

  private async read(tenant: string, id: string): Promise<Batch> {
    const batch = await this.batches.getPublic(tenant, id);
    if (!batch) throw ApiError.notFound('batch');
    return batch;
  }
}
