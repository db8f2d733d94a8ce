import { Queue } from 'bullmq';
import { queueWorkerSettings } from '../queues';
import type { DomainEvent, EventSink } from './domain-events';

/** The dispatch job of an event: one per state change, whoever announces it and however often. */
export function dispatchJobId(event: DomainEvent): string {
  const subject = event.type === 'batch.completed' ? event.batchId : event.predictionId;
  return dispatchJobIdOf(event.type, subject, event.occurredAt);
}

/**
 * The dispatch job id of one occurrence of an event. BullMQ refuses custom ids containing ':' (its
 * key separator), so '/' joins the parts, and the time is in milliseconds. It tells occurrences
 * apart (a batch completing again after a retry); a re-announcement of one state change carries
 * the same time, so it is still enqueued once.
 */
export function dispatchJobIdOf(type: string, subjectId: string, occurredAt: string): string {
  return `${type}/${subjectId}/${Date.parse(occurredAt) || 0}`;
}

/**
 * Hands events to the `webhooks` queue (consumed in the API deployment: GPU pods scale to zero,
 * callbacks must not). The job id is derived from the event, so announcing the same state
 * change twice (a retried job) enqueues it once.
 */
export class QueueEventSink implements EventSink {
  constructor(private readonly queue: Queue) {}

  async emit(event: DomainEvent): Promise<void> {
    const settings = queueWorkerSettings.webhooks;
    await this.queue.add('dispatch', event, {
      jobId: dispatchJobId(event),
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { count: settings.removeOnCompleteCount },
      removeOnFail: { count: settings.removeOnFailCount },
    });
  }
}
