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
 * Loads what an event is about, in its final state (terminal states never change), and its
 * destinations: a prediction's own webhook_url, plus its batch's URL when the batch asked for
 * `notify: each`; a batch's webhook_url for batch.completed. Null when the subject is gone.
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
      const urls = target?.url ? [target.url] : [];
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
    return { subjectId: record.id, body, urls: [...new Set(urls)] };
  }
}
