import { Queue } from 'bullmq';
import { queueWorkerSettings } from '../queues';
import type { DomainEvent, EventSink } from './domain-events';

/**
 * Hands events to the `webhooks` queue (consumed in the API deployment: GPU pods scale to zero,
 * callbacks must not). The job id is derived from the event, so announcing the same state
 * change twice (a retried job) enqueues it once.
 */
export class QueueEventSink implements EventSink {
  constructor(private readonly queue: Queue) {}

  async emit(event: DomainEvent): Promise<void> {
    const subject = event.type === 'batch.completed' ? event.batchId : event.predictionId;
    const settings = queueWorkerSettings.webhooks;
    await this.queue.add('dispatch', event, {
      // BullMQ refuses custom ids containing ':' (its key separator), so '/' joins the parts.
      jobId: `${event.type}/${subject}`,
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { count: settings.removeOnCompleteCount },
      removeOnFail: { count: settings.removeOnFailCount },
    });
  }
}
