import { Injectable, Logger } from '@nestjs/common';
import {
  isFinalStatus,
  OutboxRelay,
  PredictionRepository,
  type PredictionRecord,
  WorkIndex,
} from '@dermafleet/jobs';
import { InferenceQueueService } from '../queue/inference-queue.service';

/** BullMQ's failedReason when a job stalled (its worker died) more than maxStalledCount times. */
const STALL_LIMIT = /stalled more than allowable limit/;

export type RepairOutcome = 'gone' | 'owned' | 'requeued' | 'worker_crashed' | 'inference_failed';

/**
 * Finishes what a crash left of one prediction that is in the work index past its deadline.
 * The record is the truth; its job is made to agree with it:
 * - a job waiting, delayed or running: someone owns it; look again later;
 * - no job (the process died between committing the record and adding the job, or a multipart
 *   request died with jobs still buffered), or a completed job while the record is not final:
 *   enqueue it again (same job id);
 * - a job BullMQ failed: after the stall limit its worker died on every attempt (a poison image,
 *   an OOM) and our handler never ran: `failed` with `worker_crashed`; after any other last
 *   failure the handler could not write its outcome (storage or Redis down): `inference_failed`.
 */
@Injectable()
export class PredictionRepair {
  private readonly logger = new Logger('Reconciler');

  constructor(
    private readonly predictions: PredictionRepository,
    private readonly work: WorkIndex,
    private readonly queue: InferenceQueueService,
    private readonly relay: OutboxRelay,
  ) {}

  async repair(id: string): Promise<RepairOutcome> {
    const record = await this.predictions.getAnyTenant(id);
    if (!record || isFinalStatus(record.status)) {
      await this.work.removeIfEnded(id);
      return 'gone';
    }
    const job = await this.queue.jobOf(id);
    const state = job ? await job.getState() : 'missing';
    if (job && state === 'failed') return this.fail(record, job.failedReason ?? 'unknown');
    if (state !== 'missing' && state !== 'completed' && state !== 'unknown') {
      await this.work.postpone(id);
      return 'owned';
    }
    // A finished job cannot be added again under its id while it exists: remove it first.
    if (job) await job.remove();
    await this.queue.enqueueClassify({ predictionId: id, tenant: record.tenant }, record.priority);
    await this.work.postpone(id);
    this.logger.warn(`Prediction ${id} was ${record.status} without a job (${state}); enqueued again`);
    return 'requeued';
  }

  private async fail(record: PredictionRecord, reason: string): Promise<RepairOutcome> {
    const crashed = STALL_LIMIT.test(reason);
    const error = crashed
      ? {
          code: 'worker_crashed' as const,
          message: 'The image took its worker down on every attempt; it was not classified.',
        }
      : { code: 'inference_failed' as const, message: `Failed after every retry: ${reason}` };
    const outcome = await this.predictions.markFailed(record.id, error);
    await this.relay.relayNow(outcome.outbox);
    this.logger.warn(`Prediction ${record.id} failed with ${error.code} (${reason})`);
    return error.code;
  }
}
