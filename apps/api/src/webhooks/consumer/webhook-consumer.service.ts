import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import {
  type DomainEvent,
  drainWorker,
  JobOf,
  QueueName,
  queueWorkerSettings,
  RedisKeys,
} from '@dermafleet/jobs';
import { Job, Worker } from 'bullmq';
import { API_CONFIG, ApiConfig } from '../../config/api.config';
import { DeliverHandler, RetryDeliveryLater } from '../delivery/deliver.handler';
import { nextDelayMs } from '../delivery/retry.policy';
import { DispatchHandler } from '../dispatch/dispatch.handler';

/**
 * Consumes the `webhooks` queue inside the API deployment: GPU workers scale to zero, callbacks
 * must not. Delivery is network-bound, so concurrency is high and independent of the CPU count.
 * Closed before Redis and the queues close (beforeApplicationShutdown), letting attempts in
 * flight finish; each is bounded by WEBHOOK_TIMEOUT_MS.
 */
@Injectable()
export class WebhookConsumerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Webhooks');
  private worker: Worker | undefined;

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly keys: RedisKeys,
    private readonly dispatch: DispatchHandler,
    private readonly deliver: DeliverHandler,
  ) {}

  onApplicationBootstrap(): void {
    const { concurrency, retryDelaysMs, retryAfterMaxMs } = this.config.webhooks;
    this.worker = new Worker(QueueName.Webhooks, (job: Job) => this.process(job), {
      connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
      prefix: this.keys.bullPrefix,
      concurrency,
      lockDuration: queueWorkerSettings.webhooks.lockDurationMs,
      settings: {
        // Deliver jobs carry their next delay on the error; anything else (Redis trouble while
        // recording) waits what the schedule says for that attempt.
        backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) =>
          err instanceof RetryDeliveryLater
            ? err.delayMs
            : (nextDelayMs({ delaysMs: retryDelaysMs, retryAfterMaxMs }, attemptsMade - 1, null) ??
              retryDelaysMs[0] ??
              1000),
      },
    });
    this.worker.on('error', (err) => this.logger.error(`Queue connection: ${err.message}`));
    this.logger.log(`Consuming "${QueueName.Webhooks}" with concurrency ${concurrency}`);
  }

  private async process(job: Job): Promise<string | number> {
    switch (job.name) {
      case 'dispatch':
        return this.dispatch.handle(job.data as DomainEvent);
      case 'deliver':
        return this.deliver.handle(job as Job<JobOf<'webhooks', 'deliver'>>);
      default:
        throw new Error(`Unknown job ${job.name} on the ${QueueName.Webhooks} queue`);
    }
  }

  /**
   * Lets the attempts in flight finish (each bounded by WEBHOOK_TIMEOUT_MS), within that plus 5 s:
   * its connections retry forever (maxRetriesPerRequest null), so during a Redis outage the close
   * could otherwise wait for good. Past the deadline the worker is closed at once; its jobs go
   * back to the queue as stalled and are delivered again (deliveries are idempotent by webhook-id).
   */
  async beforeApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    await drainWorker(worker, this.config.webhooks.timeoutMs + 5000, this.logger);
  }
}
