import { Inject, Injectable } from '@nestjs/common';
import { EVENT_SINK, type EventSink, type FinishOutcome } from '@dermafleet/jobs';

/**
 * Announces state changes the API itself makes (cached results, upload_missing at seal, a seal
 * that completes a batch). Only the call that changed the state announces it, so events go out once.
 */
@Injectable()
export class PredictionEventsService {
  constructor(@Inject(EVENT_SINK) private readonly events: EventSink) {}

  async finished(
    tenant: string,
    predictionId: string,
    status: 'succeeded' | 'failed',
    outcome: FinishOutcome,
  ): Promise<void> {
    const occurredAt = new Date().toISOString();
    const type = status === 'succeeded' ? 'prediction.succeeded' : 'prediction.failed';
    if (outcome.changed) await this.events.emit({ type, tenant, predictionId, occurredAt });
    if (outcome.batchCompleted) await this.batchCompleted(tenant, outcome.batchCompleted);
  }

  /** A prediction created already final (a cached result). */
  async createdFinal(tenant: string, predictionId: string, status: 'succeeded' | 'failed'): Promise<void> {
    await this.finished(tenant, predictionId, status, { changed: true, batchCompleted: null });
  }

  async batchCompleted(tenant: string, batchId: string): Promise<void> {
    await this.events.emit({
      type: 'batch.completed',
      tenant,
      batchId,
      occurredAt: new Date().toISOString(),
    });
  }
}
