import { Inject, Injectable } from '@nestjs/common';
import {
  BATCH_WEBHOOK_TARGET_LOOKUP,
  type BatchWebhookTargetLookup,
  type DomainEvent,
  PredictionRepository,
  toPublicPrediction,
  type WebhookEventBody,
} from '@dermafleet/jobs';

/** An event made concrete: its subject's id, the body to send, and where to send it. */
export interface EventSubject {
  subjectId: string;
  body: WebhookEventBody;
  urls: string[];
}

/**
 * Loads what an event is about, in the final state the event announced, and its destinations: a
 * prediction's own webhook_url, plus its batch's URL when the batch asked for `notify: each`; a
 * batch's webhook_url for batch.completed. Null when the subject is gone. A subject that has moved
 * on since (a retry re-queued it: its completed_at is no longer the event's time) has no
 * destinations: the event is superseded, and sending today's state under an old event's type
 * ("prediction.failed" with status "queued") would mislead; the new outcome brings its own event.
 */
@Injectable()
export class EventSubjectLoader {
  constructor(
    private readonly predictions: PredictionRepository,
    @Inject(BATCH_WEBHOOK_TARGET_LOOKUP) private readonly batches: BatchWebhookTargetLookup,
  ) {}

  async load(event: DomainEvent): Promise<EventSubject | null> {
    const timestamp = event.occurredAt;
    if (event.type === 'batch.completed') {
      const [batch, target] = await Promise.all([
        this.batches.getBatchObject(event.tenant, event.batchId),
        this.batches.getWebhookTarget(event.tenant, event.batchId),
      ]);
      if (!batch) return null;
      const urls = target?.url && batch.completed_at === event.occurredAt ? [target.url] : [];
      return { subjectId: event.batchId, body: { type: event.type, timestamp, data: batch }, urls };
    }
    const record = await this.predictions.get(event.tenant, event.predictionId);
    if (!record) return null;
    const urls = record.webhookUrl ? [record.webhookUrl] : [];
    if (record.batch_id) {
      const target = await this.batches.getWebhookTarget(event.tenant, record.batch_id);
      if (target?.url && target.notify === 'each') urls.push(target.url);
    }
    const body: WebhookEventBody = { type: event.type, timestamp, data: toPublicPrediction(record) };
    const current = record.completed_at === event.occurredAt;
    return { subjectId: record.id, body, urls: current ? [...new Set(urls)] : [] };
  }
}
