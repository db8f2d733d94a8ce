import { Injectable } from '@nestjs/common';
import { type Batch, BatchRepository, PredictionRepository } from '@dermafleet/jobs';
import { ApiError } from '../errors/api-error';
import { PredictionEventsService } from '../predictions/prediction-events.service';
import { mapLimit } from './map-limit';

/** Pending predictions failed per round (and at once). */
const PAGE = 500;
const CONCURRENCY = 32;

/**
 * POST /v1/batches/{id}/seal: no more images (idempotent). Direct uploads that never arrived fail
 * with upload_missing; the batch completes when every prediction has ended, here (an empty batch,
 * or everything already done) or in the worker that finishes the last one. The move sealed -> completed and its
 * batch.completed outbox entry happen in one Lua call, so the event is never lost to a crash.
 */
@Injectable()
export class BatchSealService {
  constructor(
    private readonly batches: BatchRepository,
    private readonly predictions: PredictionRepository,
    private readonly events: PredictionEventsService,
  ) {}

  async seal(tenant: string, id: string): Promise<Batch> {
    const sealed = await this.batches.seal(tenant, id);
    if (!sealed.found) throw ApiError.notFound('batch');
    await this.events.relayNow(sealed.outbox);
    await this.failMissingUploads(tenant, id);
    const batch = await this.batches.getPublic(tenant, id);
    if (!batch) throw ApiError.notFound('batch');
    return batch;
  }

  /** Each pending prediction is claimed and failed in one script, so a racing complete wins or loses cleanly. */
  private async failMissingUploads(tenant: string, id: string): Promise<void> {
    const error = {
      code: 'upload_missing' as const,
      message: 'The batch was sealed before this image was uploaded.',
    };
    for (;;) {
      const page = await this.batches.pendingSample(id, PAGE);
      if (!page.length) return;
      await mapLimit(page, CONCURRENCY, async (predictionId) => {
        const outcome = await this.predictions.failPendingUpload(id, predictionId, error);
        await this.events.relayNow(outcome.outbox);
      });
    }
  }
}
