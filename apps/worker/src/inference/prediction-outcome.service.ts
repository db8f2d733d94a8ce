import { Inject, Injectable } from '@nestjs/common';
import {
  EVENT_SINK,
  type EventSink,
  FinishOutcome,
  OutboxRelay,
  PredictionError,
  PredictionRecord,
  PredictionRepository,
  PredictionResult,
} from '@dermafleet/jobs';

/**
 * Writes a prediction's outcome. Compare-and-set first: FINISH moves the record to its final
 * state once and, in the same Lua call, puts its S3 copy and its events in the outbox. Then the
 * outbox entries are relayed at once (the copy of what won, the events); if S3 or Redis fail
 * there, the state is already committed and the reconciler relays them later.
 * Crash windows: before FINISH, the job is retried (or the reconciler re-enqueues it); after
 * FINISH, the outbox owns the rest. A duplicate attempt changes nothing and writes no copy.
 */
@Injectable()
export class PredictionOutcomeService {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly relay: OutboxRelay,
    @Inject(EVENT_SINK) private readonly events: EventSink,
  ) {}

  async succeed(record: PredictionRecord, result: PredictionResult): Promise<FinishOutcome> {
    const outcome = await this.predictions.markSucceeded(record.id, result, new Date(), record);
    await this.relay.relayNow(outcome.outbox);
    return outcome;
  }

  async fail(record: PredictionRecord, error: PredictionError): Promise<FinishOutcome> {
    const outcome = await this.predictions.markFailed(record.id, error, new Date(), record);
    await this.relay.relayNow(outcome.outbox);
    return outcome;
  }

  /** Relays what a state change owes (batch.completed of a batch whose last prediction was canceled). */
  async relayNow(outbox: string[]): Promise<void> {
    await this.relay.relayNow(outbox);
  }

  /**
   * A retried job found its prediction already final: announce again in case the outbox entry
   * is still waiting for the reconciler (the dispatch job id de-duplicates).
   */
  async reannounce(record: PredictionRecord): Promise<void> {
    if (record.status !== 'succeeded' && record.status !== 'failed') return;
    const type = record.status === 'succeeded' ? 'prediction.succeeded' : 'prediction.failed';
    await this.events.emit({
      type,
      tenant: record.tenant,
      predictionId: record.id,
      occurredAt: record.completed_at ?? new Date().toISOString(),
    });
  }
}
