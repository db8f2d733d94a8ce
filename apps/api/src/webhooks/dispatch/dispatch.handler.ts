import { Injectable } from '@nestjs/common';
import { DeliveryRepository, type DomainEvent, Outbox, webhookIdFor } from '@dermafleet/jobs';
import { UnrecoverableError } from 'bullmq';
import { DeliveryScheduler } from '../delivery/delivery.scheduler';
import { EventSubjectLoader } from './event-subject.loader';

/**
 * A `dispatch` job: one domain event becomes one delivery per destination, each with its first
 * attempt queued. Safe to run twice for one event: deliveries are keyed by webhook-id (derived
 * from event and URL), and a delivery whose first attempt may not have been queued (the previous
 * run died in between) gets it queued again under the same job id.
 */
@Injectable()
export class DispatchHandler {
  constructor(
    private readonly subjects: EventSubjectLoader,
    private readonly deliveries: DeliveryRepository,
    private readonly scheduler: DeliveryScheduler,
    private readonly outbox: Outbox,
  ) {}

  /** Returns how many destinations the event has. */
  async handle(event: DomainEvent): Promise<number> {
    const subject = await this.subjects.load(event);
    if (!subject) {
      // Nothing will ever be sent for a subject that is gone: the outbox owes nothing more.
      await this.outbox.ack(event);
      const id = event.type === 'batch.completed' ? event.batchId : event.predictionId;
      throw new UnrecoverableError(
        `${event.type} for ${id}: no such record for tenant ${event.tenant} (expired?).`,
      );
    }
    const payload = JSON.stringify(subject.body);
    for (const url of subject.urls) {
      const webhookId = webhookIdFor(event.type, subject.subjectId, url, event.occurredAt);
      const delivery = await this.deliveries.createOnce({
        tenant: event.tenant,
        eventType: event.type,
        webhookId,
        subjectId: subject.subjectId,
        url,
        payload,
      });
      // Erased since it was read: nothing may carry its payload any more.
      if (!delivery) continue;
      const { record, created } = delivery;
      const maybeUnqueued = record.chain === 0 && record.status === 'pending' && record.attempts === 0;
      if (created || maybeUnqueued) await this.scheduler.startChain(record);
    }
    // Every delivery exists with its first attempt queued: the event's outbox entry is done
    // (a crash before this line leaves it to the reconciler, which finds this job completed).
    await this.outbox.ack(event);
    return subject.urls.length;
  }
}
