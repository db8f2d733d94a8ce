import { Injectable } from '@nestjs/common';
import { BatchControlRepository, BatchRepository, PredictionRepository, WorkIndex } from '@dermafleet/jobs';
import { PredictionEventsService } from '../predictions/prediction-events.service';
import { mapLimit } from '../common/map-limit';

/** Pending predictions failed per round (and at once). */
const PAGE = 500;
const CONCURRENCY = 32;

/**
 * A sealed batch's direct uploads that never arrived fail with upload_missing. Run by the seal
 * request right away and, if that request died half way (the sealed batch is in the work index
 * until this finishes), by the reconciler. Each pending prediction is claimed and failed in one
 * script, so a racing upload completion wins or loses cleanly, and running twice is harmless.
 * In a canceled batch they end `canceled` instead (the half of a cancel whose request died). The
 * batch is also here when a retry died before ending its lease (FINISH_RETRY).
 */
@Injectable()
export class PendingUploadsSweeper {
  constructor(
    private readonly batches: BatchRepository,
    private readonly predictions: PredictionRepository,
    private readonly events: PredictionEventsService,
    private readonly work: WorkIndex,
    private readonly control: BatchControlRepository,
  ) {}

  async sweep(batchId: string): Promise<void> {
    const error = {
      code: 'upload_missing' as const,
      message: 'The batch was sealed before this image was uploaded.',
    };
    // A retry that died mid-walk left its lease: end it once it has run out (a live one is left).
    const retry = await this.control.finishRetry(batchId, false);
    if (retry.state === 'running') return this.work.postpone(batchId);
    if (retry.state === 'ended') await this.events.relayNow(retry.outbox);
    const canceled = await this.control.cancelPending(batchId);
    if (canceled) await this.events.relayNow(canceled);
    for (;;) {
      const page = await this.batches.pendingSample(batchId, PAGE);
      if (!page.length) break;
      await mapLimit(page, CONCURRENCY, async (predictionId) => {
        const outcome = await this.predictions.failPendingUpload(batchId, predictionId, error);
        await this.events.relayNow(outcome.outbox);
      });
    }
    await this.work.remove(batchId);
  }
}
