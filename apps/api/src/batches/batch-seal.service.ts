import { Injectable } from '@nestjs/common';
import { type Batch, BatchRepository } from '@dermafleet/jobs';
import { ApiError } from '../errors/api-error';
import { PredictionEventsService } from '../predictions/prediction-events.service';
import { PendingUploadsSweeper } from './pending-uploads.sweeper';

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
    private readonly events: PredictionEventsService,
    private readonly sweeper: PendingUploadsSweeper,
  ) {}

  async seal(tenant: string, id: string): Promise<Batch> {
    const sealed = await this.batches.seal(tenant, id);
    if (!sealed.found) throw ApiError.notFound('batch');
    await this.events.relayNow(sealed.outbox);
    await this.sweeper.sweep(id);
    const batch = await this.batches.getPublic(tenant, id);
    if (!batch) throw ApiError.notFound('batch');
    return batch;
  }
}
