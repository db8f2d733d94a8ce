import { Inject, Injectable } from '@nestjs/common';
import { DeliveryRepository, DeliveryStatus, JobOf } from '@dermafleet/jobs';
import type { Job } from 'bullmq';
import { API_CONFIG, ApiConfig } from '../../config/api.config';
import { DeliveryAttemptService } from './delivery-attempt.service';
import { webhookAttempts } from '../webhook.metrics';
import { nextDelayMs } from './retry.policy';

/** Thrown to have BullMQ try the same deliver job again after `delayMs` (see the consumer's backoff). */
export class RetryDeliveryLater extends Error {
  constructor(
    readonly delayMs: number,
    reason: string,
  ) {
    super(`Delivery attempt failed (${reason}); trying again in ${delayMs} ms`);
    this.name = 'RetryDeliveryLater';
  }
}

export type DeliverOutcome = DeliveryStatus | 'stale';

/**
 * One deliver job run = one attempt. The job acts only if it still owns the delivery (a
 * redelivery hands it to a new job), records the attempt, then either ends the delivery
 * (succeeded, failed) or throws RetryDeliveryLater so BullMQ delays the same job.
 */
@Injectable()
export class DeliverHandler {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly deliveries: DeliveryRepository,
    private readonly attempts: DeliveryAttemptService,
  ) {}

  async handle(job: Job<JobOf<'webhooks', 'deliver'>>): Promise<DeliverOutcome> {
    const record = await this.deliveries.get(job.data.tenant, job.data.deliveryId);
    if (!record || record.status !== 'pending' || record.job !== job.id) return 'stale';
    const result = await this.attempts.attempt(record);
    webhookAttempts.inc({ result: result.error ?? 'succeeded' });
    const attemptIndex = job.attemptsMade;
    const retriesLeft = attemptIndex + 1 < (job.opts.attempts ?? 1);
    const { retryDelaysMs: delaysMs, retryAfterMaxMs } = this.config.webhooks;
    const delay =
      result.kind === 'retryable' && retriesLeft
        ? nextDelayMs({ delaysMs, retryAfterMaxMs }, attemptIndex, result.retryAfterMs)
        : null;
    const status: DeliveryStatus =
      result.kind === 'succeeded' ? 'succeeded' : delay !== null ? 'pending' : 'failed';
    const owned = await this.deliveries.recordAttempt(record, record.job, {
      status,
      lastStatusCode: result.statusCode,
      lastError: result.error,
      nextAttemptAt: delay !== null ? new Date(Date.now() + delay) : null,
    });
    if (!owned) return 'stale';
    if (delay !== null) throw new RetryDeliveryLater(delay, result.error ?? 'unknown');
    return status;
  }
}
