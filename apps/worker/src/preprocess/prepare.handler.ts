import { Injectable } from '@nestjs/common';
import { JobOf, PredictionRepository } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { Job } from 'bullmq';
import { failAttempt } from '../inference/attempt-failure';
import { startAttempt } from '../inference/attempt-start';
import { PredictionOutcomeService } from '../inference/prediction-outcome.service';
import { encodeModelInput } from './model-input.codec';
import { PreparedJobQueue } from './prepared-job.queue';
import { PreprocessRuntimeService } from './preprocess-runtime.service';
import { loadRecordedImage } from '../inference/recorded-image';

export type PrepareOutcome = 'prepared' | 'failed' | 'already-final';

/**
 * One `prepare` job (preprocessing tier): fetch the image, decode and resize it to the model's
 * input in the thread pool, store those RGB bytes in S3 beside the image, and hand the
 * prediction to the GPU tier as `classify-prepared`. A bad image fails here, with invalid_image,
 * and never reaches a GPU.
 */
@Injectable()
export class PrepareHandler {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly store: ObjectStore,
    private readonly runtime: PreprocessRuntimeService,
    private readonly prepared: PreparedJobQueue,
    private readonly outcome: PredictionOutcomeService,
  ) {}

  async handle(job: Job<JobOf<'preprocess', 'prepare'>>): Promise<PrepareOutcome> {
    const record = await startAttempt(job.data, this.predictions, this.outcome);
    if (!record) return 'already-final';
    try {
      const bytes = await loadRecordedImage(this.store, record, this.outcome);
      const resized = await this.runtime.resize(bytes);
      const input = encodeModelInput(resized, this.runtime.preprocessing);
      const inputKey = objectKeys.modelInput(record.tenant, record.id);
      await this.store.put(inputKey, input.body, {
        contentType: 'application/octet-stream',
        metadata: input.metadata,
      });
      await this.prepared.enqueue(
        { predictionId: record.id, tenant: record.tenant, inputKey },
        record.priority,
      );
      return 'prepared';
    } catch (err) {
      return await failAttempt(err, job, record, this.outcome);
    }
  }
}
