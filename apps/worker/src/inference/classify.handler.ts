import { Inject, Injectable } from '@nestjs/common';
import type { ClassifyTiming } from '@dermafleet/inference';
import { HotImageStore, JobOf, JobPriority, PredictionRepository } from '@dermafleet/jobs';
import { matchesRecorded, ObjectStore } from '@dermafleet/storage';
import { Job } from 'bullmq';
import { WorkerMetrics } from '../metrics/worker.metrics';
import { failAttempt } from './attempt-failure';
import { startAttempt } from './attempt-start';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { ModelRuntimeService } from './model-runtime.service';
import { crashIfPoison } from './poison.test-hook';
import { PredictionOutcomeService } from './prediction-outcome.service';
import { loadRecordedImage } from './recorded-image';

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
    private readonly metrics: WorkerMetrics,
    private readonly hot: HotImageStore,
  ) {}

  async handle(job: Job<JobOf<'inference', 'classify'>>): Promise<ClassifyOutcome> {
    if (job.processedOn) this.metrics.stage('queue_wait', job.processedOn - job.timestamp);
    const record = await startAttempt(job.data, this.predictions, this.outcome);
    if (!record) return 'already-final';
    try {
      let t = performance.now();
      const { sha256 } = record.image;
      // The interactive hand-off copy first (the API wrote it from the bytes it hashed); it is
      // re-checked like the S3 object, and anything else falls back to the verified S3 read.
      // Only interactive uploads have one: a bulk image is not looked for (a Redis round trip
      // per image of an archive, and another to delete it).
      const interactive = record.priority === 'interactive';
      const hot = interactive ? await this.hot.get(record.tenant, sha256) : null;
      const bytes =
        hot && matchesRecorded(hot, record.image)
          ? hot
          : await loadRecordedImage(this.store, record, this.outcome);
      this.metrics.stage('fetch', performance.now() - t);
      crashIfPoison(bytes, this.config.testCrashOnSha256);
      // Interactive predictions go into the next micro-batch ahead of bulk ones already waiting.
      // No thumbnail here: the API makes one when the viewer first asks (ThumbnailMaker).
      const timing: ClassifyTiming = { preprocessMs: NaN, waitMs: NaN, runMs: NaN };
      const result = await this.runtime.classifier.classify(bytes, JobPriority[record.priority], timing);
      this.metrics.stage('preprocess', timing.preprocessMs);
      this.metrics.stage('batch_wait', timing.waitMs);
      this.metrics.stage('inference', timing.runMs);
      t = performance.now();
      await this.outcome.succeed(record, result);
      this.metrics.stage('write_back', performance.now() - t);
      this.metrics.stage('end_to_end', Date.now() - Date.parse(record.created_at));
      // Final: the hand-off copy has served (a failure leaves it to its TTL, for the retries).
      if (interactive) await this.hot.delete(record.tenant, sha256).catch(() => undefined);
      return 'succeeded';
    } catch (err) {
      return await failAttempt(err, job, record, this.outcome);
    }
  }
}
