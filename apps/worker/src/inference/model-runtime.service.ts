import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  assertProvidersAvailable,
  ImageClassifier,
  limitLibvipsThreads,
  loadModelDirectory,
} from '@dermafleet/inference';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

/**
 * Loads the model directory and opens the classifier (session thread, preprocessing pool,
 * warm-up batch) once per process. Readiness depends on it.
 */
@Injectable()
export class ModelRuntimeService implements OnApplicationShutdown {
  private readonly logger = new Logger('Model');
  private classifierValue: ImageClassifier | undefined;

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  async open(): Promise<ImageClassifier> {
    // Before reading hundreds of MB: a GPU pod without CUDA binaries says so in one sentence.
    assertProvidersAvailable(this.config.session.executionProviders);
    const model = await loadModelDirectory(this.config.modelDir, { modelId: this.config.modelId });
    const { batch, session, preprocessing, threads } = this.config;
    limitLibvipsThreads(threads.sharpConcurrency);
    const classifier = await ImageClassifier.open(model, {
      session: { ...session, intraOpThreads: threads.intraOpThreads },
      preprocessing: {
        mode: preprocessing.mode,
        autoOrient: preprocessing.autoOrient,
        maxPixels: preprocessing.maxPixels,
      },
      batch: {
        maxSize: batch.maxSize,
        maxDelayMs: batch.maxDelayMs,
        maxQueuedBatches: batch.prefetchDepth + 1,
      },
      preprocessThreads: threads.preprocessThreads,
      taskTimeoutMs: this.config.inferenceTimeoutMs,
    });
    this.logger.log(
      `Model ${model.id} (${model.version.slice(0, 19)}…, ${model.labels.length} classes${model.demo ? ', DEMO weights' : ''}) ` +
        `on ${session.executionProviders.join(',')}, warmed up with a batch of ${batch.maxSize} in ${classifier.warmUpMs.toFixed(0)} ms`,
    );
    this.logger.log(
      `Threads for ${threads.cores} core(s): ${threads.intraOpThreads} intra-op, ${threads.preprocessThreads} preprocessing, ` +
        `libvips ${threads.sharpConcurrency} per call, libuv ${threads.uvThreadpoolSize}`,
    );
    this.classifierValue = classifier;
    return classifier;
  }

  get classifier(): ImageClassifier {
    if (!this.classifierValue) throw new Error('The model is not loaded yet.');
    return this.classifierValue;
  }

  /** Loaded once, and can no longer run (its inference thread died): not live, stop consuming. */
  get broken(): boolean {
    return this.classifierValue !== undefined && !this.classifierValue.sessionHealthy;
  }

  get ready(): boolean {
    return this.classifierValue?.sessionHealthy ?? false;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.classifierValue?.close();
  }
}
