import { Inject, Injectable } from '@nestjs/common';
import {
  EVENT_SINK,
  type EventSink,
  FinishOutcome,
  PredictionError,
  PredictionRecord,
  PredictionRepository,
  PredictionResult,
  toPublicPrediction,
} from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';

/**
 * Writes a prediction's outcome: the durable JSON copy to S3 first, then the Redis record, so a
 * record that says `succeeded` always has its S3 copy (GET answers from it after retention).
 * Only the call that actually changed the state announces it, so events go out once.
 */
@Injectable()
export class PredictionOutcomeService {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly store: ObjectStore,
    @Inject(EVENT_SINK) private readonly events: EventSink,
  ) {}

  async succeed(record: PredictionRecord, result: PredictionResult): Promise<FinishOutcome> {
    const completedAt = new Date();
    const final = {
      ...record,
      status: 'succeeded' as const,
      completed_at: completedAt.toISOString(),
      result,
    };
    await this.store.putJson(objectKeys.result(record.tenant, record.id), toPublicPrediction(final));
    return this.announce(
      record,
      'prediction.succeeded',
      await this.predictions.markSucceeded(record.id, result, completedAt),
    );
  }

  async fail(record: PredictionRecord, error: PredictionError): Promise<FinishOutcome> {
    const completedAt = new Date();
    const final = { ...record, status: 'failed' as const, completed_at: completedAt.toISOString(), error };
    await this.store.putJson(objectKeys.result(record.tenant, record.id), toPublicPrediction(final));
    return this.announce(
      record,
      'prediction.failed',
      await this.predictions.markFailed(record.id, error, completedAt),
    );
  }

  /**
   * A retried job found its prediction already final: the previous attempt may have died between
   * the state change and the announcement, so announce again (the sink de-duplicates by event).
   */
  async reannounce(record: PredictionRecord): Promise<void> {
    if (record.status !== 'succeeded' && record.status !== 'failed') return;
    const type = record.status === 'succeeded' ? 'prediction.succeeded' : 'prediction.failed';
    await this.events.emit({
      type,
      tenant: record.tenant,
      predictionId: record.id,
      occurredAt: new Date().toISOString(),
    });
  }

  private async announce(
    record: PredictionRecord,
    type: 'prediction.succeeded' | 'prediction.failed',
    outcome: FinishOutcome,
  ): Promise<FinishOutcome> {
    const occurredAt = new Date().toISOString();
    if (outcome.changed)
      await this.events.emit({ type, tenant: record.tenant, predictionId: record.id, occurredAt });
    if (outcome.batchCompleted) {
      await this.events.emit({
        type: 'batch.completed',
        tenant: record.tenant,
        batchId: outcome.batchCompleted,
        occurredAt,
      });
    }
    return outcome;
  }
}
