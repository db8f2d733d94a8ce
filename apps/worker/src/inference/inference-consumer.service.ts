import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { drainWorker, JobOf, QueueName, queueWorkerSettings, RedisKeys } from '@dermafleet/jobs';
import { Job, UnrecoverableError, Worker } from 'bullmq';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { WorkerMetrics } from '../metrics/worker.metrics';
import { PrepareHandler } from '../preprocess/prepare.handler';
import { PreprocessRuntimeService } from '../preprocess/preprocess-runtime.service';
import { ClassifyPreparedHandler } from './classify-prepared.handler';
import { ClassifyHandler } from './classify.handler';
import { ExplainHandler } from '../explanations/explain.handler';
import { ModelRuntimeService } from './model-runtime.service';

/**
 * The BullMQ consumer of this pod's mode: `all-in-one` and `infer` consume `inference` (classify,
 * classify-prepared), `preprocess` consumes `preprocess` (prepare). It is created only after its
 * runtime is loaded and warmed (STYLE.md #6). On the inference queue, concurrency = batch size x
 * (prefetch depth + 1): one batch running and `depth` batches being downloaded and preprocessed
 * meanwhile, and no more (so an interactive job is never queued behind many bulk ones in hand).
 */
@Injectable()
export class InferenceConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Consumer');
  private worker: Worker | undefined;
  private modelWatch: NodeJS.Timeout | undefined;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly keys: RedisKeys,
    private readonly runtime: ModelRuntimeService,
    private readonly preprocessRuntime: PreprocessRuntimeService,
    private readonly classify: ClassifyHandler,
    private readonly classifyPrepared: ClassifyPreparedHandler,
    private readonly prepare: PrepareHandler,
    private readonly explain: ExplainHandler,
    private readonly metrics: WorkerMetrics,
  ) {}

  get queueName(): QueueName {
    return this.config.mode === 'preprocess' ? QueueName.Preprocess : QueueName.Inference;
  }

  get concurrency(): number {
    if (this.config.mode === 'preprocess') return this.preprocessRuntime.concurrency;
    return this.config.batch.maxSize * (this.config.batch.prefetchDepth + 1);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.mode === 'preprocess') await this.preprocessRuntime.open();
    else this.metrics.watch(await this.runtime.open());
    const lockDuration = this.config.lockDurationMs ?? queueWorkerSettings[this.queueName].lockDurationMs;
    this.worker = new Worker(this.queueName, (job: Job) => this.process(job), {
      connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
      prefix: this.keys.bullPrefix,
      concurrency: this.concurrency,
      lockDuration,
      // Look for jobs whose lock expired (a dead worker's) as often as a lock can expire, so they
      // are retried promptly; BullMQ's 30 s default would be slower than a short lock.
      stalledInterval: Math.min(lockDuration, 30_000),
      // A job whose worker died this many times (lock lost without an answer: a poison image, an
      // OOM) is failed by BullMQ without our handler; the reconciler then fails its prediction
      // with worker_crashed, so one image cannot take workers down forever.
      maxStalledCount: this.config.maxWorkerCrashes - 1,
      autorun: true,
    });
    this.worker.on('error', (err) => this.logger.error(`Queue connection: ${err.message}`));
    this.watchModel();
    this.logger.log(
      `Consuming "${this.queueName}" with concurrency ${this.concurrency} (${this.config.mode})`,
    );
  }

  /**
   * A model that can no longer run (its session thread died) must not take jobs only to fail
   * them: stop fetching at once; liveness goes red and Kubernetes replaces the pod. The jobs in
   * hand fail their attempt and are retried elsewhere.
   */
  private watchModel(): void {
    if (this.config.mode === 'preprocess') return;
    this.modelWatch = setInterval(() => {
      if (!this.runtime.broken || !this.worker || this.worker.isPaused()) return;
      this.logger.error('The model can no longer run: consuming stopped (liveness now fails)');
      void this.worker.pause(true).catch(() => undefined);
    }, 1000);
    this.modelWatch.unref();
  }

  private async process(job: Job): Promise<string> {
    // A job fetched just as the model broke: hand it back untouched (transient, retried by a
    // healthy worker) rather than marking its prediction processing here.
    if (this.runtime.broken) throw new Error("This worker's model can no longer run; retried elsewhere.");
    const started = Date.now();
    // Structured fields for JSON logs (LOG_FORMAT=json); ids only, never image bytes or keys.
    const fields = {
      prediction_id: (job.data as { predictionId?: string }).predictionId,
      tenant: (job.data as { tenant?: string }).tenant,
      queue: job.queueName,
      job: job.name,
      attempt: job.attemptsMade + 1,
    };
    try {
      const outcome = await this.route(job);
      this.metrics.jobDone(outcome);
      this.logger.debug({ msg: `${job.name} ${outcome}`, ...fields, outcome, ms: Date.now() - started });
      return outcome;
    } catch (err) {
      const permanent = err instanceof UnrecoverableError;
      this.metrics.jobDone(permanent ? 'failed' : 'error');
      this.logger.warn({
        msg: `${job.name} attempt failed: ${(err as Error).message}`,
        ...fields,
        permanent,
      });
      throw err;
    }
  }

  private route(job: Job): Promise<string> {
    switch (job.name) {
      case 'classify':
        return this.classify.handle(job as Job<JobOf<'inference', 'classify'>>);
      case 'classify-prepared':
        return this.classifyPrepared.handle(job as Job<JobOf<'inference', 'classify-prepared'>>);
      case 'explain':
        return this.explain.handle(job as Job<JobOf<'inference', 'explain'>>);
      case 'prepare':
        return this.prepare.handle(job as Job<JobOf<'preprocess', 'prepare'>>);
      default:
        throw new UnrecoverableError(`Unknown job ${job.name} on queue ${job.queueName}`);
    }
  }

  /**
   * SIGTERM: stop fetching, let the jobs in hand (and their micro-batches) finish and write their
   * results, within SHUTDOWN_TIMEOUT_MS; jobs still running then are released for another worker.
   */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.modelWatch);
    if (!this.worker) return;
    const worker = this.worker;
    this.worker = undefined;
    this.logger.log('Draining: no new jobs; finishing the ones in hand');
    await drainWorker(worker, this.config.shutdownTimeoutMs, this.logger);
  }

  /** Consuming: running and not paused (a broken model pauses it). */
  get isConsuming(): boolean {
    return (this.worker?.isRunning() ?? false) && !(this.worker?.isPaused() ?? true);
  }

  get isRunning(): boolean {
    return this.worker?.isRunning() ?? false;
  }
}
