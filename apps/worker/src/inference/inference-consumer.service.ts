import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JobOf, QueueName, queueWorkerSettings, RedisKeys } from '@dermafleet/jobs';
import { Job, Worker } from 'bullmq';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { WorkerMetrics } from '../metrics/worker.metrics';
import { ClassifyHandler } from './classify.handler';
import { ModelRuntimeService } from './model-runtime.service';

/**
 * The BullMQ consumer. It is created only after the model is loaded and warmed (STYLE.md #6),
 * with concurrency = batch size x (prefetch depth + 1): enough jobs in hand to fill the running
 * batch and prepare the next ones, and no more (so priorities still take effect quickly).
 */
@Injectable()
export class InferenceConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Consumer');
  private worker: Worker | undefined;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly keys: RedisKeys,
    private readonly runtime: ModelRuntimeService,
    private readonly handler: ClassifyHandler,
    private readonly metrics: WorkerMetrics,
  ) {}

  get concurrency(): number {
    return this.config.batch.maxSize * (this.config.batch.prefetchDepth + 1);
  }

  async onApplicationBootstrap(): Promise<void> {
    const classifier = await this.runtime.open();
    this.metrics.watch(classifier);
    const settings = queueWorkerSettings.inference;
    this.worker = new Worker(QueueName.Inference, (job: Job) => this.process(job), {
      connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
      prefix: this.keys.bullPrefix,
      concurrency: this.concurrency,
      lockDuration: this.config.lockDurationMs ?? settings.lockDurationMs,
      autorun: true,
    });
    this.worker.on('error', (err) => this.logger.error(`Queue connection: ${err.message}`));
    this.logger.log(`Consuming "${QueueName.Inference}" with concurrency ${this.concurrency}`);
  }

  private async process(job: Job): Promise<string> {
    if (job.name !== 'classify') throw new Error(`Unknown job ${job.name}`);
    const outcome = await this.handler.handle(job as Job<JobOf<'inference', 'classify'>>);
    this.metrics.jobDone(outcome);
    return outcome;
  }

  /**
   * SIGTERM: stop fetching, let the jobs in hand (and their micro-batches) finish and write their
   * results, within SHUTDOWN_TIMEOUT_MS; jobs still running then are released for another worker.
   */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.worker) return;
    const worker = this.worker;
    this.worker = undefined;
    this.logger.log('Draining: no new jobs; finishing the ones in hand');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.config.shutdownTimeoutMs);
    });
    const result = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.logger.warn('Drain timed out; closing now (unfinished jobs return to the queue as stalled)');
      await worker.close(true);
    }
  }

  get isRunning(): boolean {
    return this.worker?.isRunning() ?? false;
  }
}
