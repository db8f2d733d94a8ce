import { Inject, Injectable } from '@nestjs/common';
import { JobOf, JobPriority, PredictionRepository } from '@dermafleet/jobs';
import { ObjectStore } from '@dermafleet/storage';
import { Job } from 'bullmq';
import { failAttempt } from './attempt-failure';
import { startAttempt } from './attempt-start';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { ModelRuntimeService } from './model-runtime.service';
import { crashIfPoison } from './poison.test-hook';
import { PredictionOutcomeService } from './prediction-outcome.service';
import { loadRecordedImage } from './recorded-image';
import { ThumbnailService } from '../thumbnails/thumbnail.service';

export type ClassifyOutcome = 'succeeded' | 'failed' | 'already-final';

/**
 * One classify job: load the record, fetch the image, classify (batched), write the outcome.
 * Permanent problems (a bad image) fail the prediction at once and are never retried; transient
 * ones are thrown so BullMQ retries them, and the last attempt marks the prediction failed.
 */
@Injectable()
export class ClassifyHandler {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly store: ObjectStore,
    private readonly runtime: ModelRuntimeService,
    private readonly outcome: PredictionOutcomeService,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly thumbnails: ThumbnailService,
  ) {}

  async handle(job: Job<JobOf<'inference', 'classify'>>): Promise<ClassifyOutcome> {
    const record = await startAttempt(job.data, this.predictions, this.outcome);
    if (!record) return 'already-final';
    try {
      const bytes = await loadRecordedImage(this.store, record, this.outcome);
      crashIfPoison(bytes, this.config.testCrashOnSha256);
      // Interactive predictions go into the next micro-batch ahead of bulk ones already waiting.
      const result = await this.runtime.classifier.classify(bytes, JobPriority[record.priority]);
      await this.thumbnails.ensure(record.tenant, record.image.sha256, bytes);
      await this.outcome.succeed(record, result);
      return 'succeeded';
    } catch (err) {
      return await failAttempt(err, job, record, this.outcome);
    }
  }
}
