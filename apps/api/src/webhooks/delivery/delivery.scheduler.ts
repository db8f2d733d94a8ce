import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { DeliveryRecord, JobOf, QueueName, queueWorkerSettings } from '@dermafleet/jobs';
import { Queue } from 'bullmq';
import { API_CONFIG, ApiConfig } from '../../config/api.config';

/** The custom backoff type of deliver jobs: the consumer's backoffStrategy computes the delay. */
export const DELIVERY_BACKOFF = 'webhook-schedule';

/**
 * Starts attempt chains on the `webhooks` queue. One chain is one deliver job with
 * 1 + (number of scheduled delays) attempts; BullMQ moves it to `delayed` between attempts
 * atomically, so a retry is never lost between "this attempt failed" and "try again later".
 */
@Injectable()
export class DeliveryScheduler {
  constructor(
    @InjectQueue(QueueName.Webhooks) private readonly queue: Queue,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  /** The job id is the record's `job`, so starting the same chain twice enqueues it once. */
  async startChain(record: DeliveryRecord): Promise<void> {
    const payload: JobOf<'webhooks', 'deliver'> = { deliveryId: record.id, tenant: record.tenant };
    const settings = queueWorkerSettings.webhooks;
    await this.queue.add('deliver', payload, {
      jobId: record.job,
      attempts: this.config.webhooks.retryDelaysMs.length + 1,
      backoff: { type: DELIVERY_BACKOFF },
      removeOnComplete: { count: settings.removeOnCompleteCount },
      removeOnFail: { count: settings.removeOnFailCount },
    });
  }

  /**
   * Drops a superseded chain's job if it is only waiting (a redelivery started a new chain).
   * Best effort: a job that runs anyway finds it no longer owns the delivery and does nothing.
   */
  async retireChain(jobId: string): Promise<void> {
    await this.queue.remove(jobId).catch(() => 0);
  }
}
