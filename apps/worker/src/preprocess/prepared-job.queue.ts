import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  closeQueue,
  failFastRedisOptions,
  JobOf,
  logQueueErrors,
  predictionJobOptions,
  PredictionPriority,
  QueueName,
  RedisKeys,
} from '@dermafleet/jobs';
import { Queue } from 'bullmq';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

/**
 * The preprocessing tier's hand-off to the GPU tier: `classify-prepared` jobs on the inference
 * queue, with the same options (id, priority, retries) as the API gives prediction jobs. The
 * queue is opened on first use, so pods of the other modes hold no extra connection.
 */
@Injectable()
export class PreparedJobQueue implements OnApplicationShutdown {
  private queue: Queue | undefined;
  private readonly logger = new Logger('PreparedJobQueue');

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly keys: RedisKeys,
  ) {}

  async enqueue(
    payload: JobOf<'inference', 'classify-prepared'>,
    priority: PredictionPriority,
  ): Promise<void> {
    this.queue ??= logQueueErrors(
      new Queue(QueueName.Inference, {
        connection: { url: this.config.redisUrl, ...failFastRedisOptions(this.config.reliability) },
        prefix: this.keys.bullPrefix,
      }),
      this.logger,
    );
    await this.queue.add(
      'classify-prepared',
      payload,
      predictionJobOptions(QueueName.Inference, payload.predictionId, priority, this.config.reliability),
    );
  }

  /** After the consumer has stopped (its drain may still enqueue). */
  async onApplicationShutdown(): Promise<void> {
    if (this.queue) await closeQueue(this.queue, this.logger);
  }
}
