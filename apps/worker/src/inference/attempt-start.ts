import { isFinalStatus, type PredictionRecord, type PredictionRepository } from '@dermafleet/jobs';
import { noRecord } from './attempt-failure';
import type { PredictionOutcomeService } from './prediction-outcome.service';

/**
 * How every prediction job begins: load its record (a missing or foreign one is never retried),
 * and if an earlier attempt already finished it, announce that again (the attempt may have died
 * between the state change and the announcement; the sink de-duplicates) and do nothing else.
 * A prediction that ended between the read and the start (canceled, erased), or whose batch was
 * canceled while it waited (it is ended `canceled` here), is not run either.
 * Returns the record, moved to `processing`, or null when there is nothing left to do.
 */
export async function startAttempt(
  payload: { predictionId: string; tenant: string },
  predictions: PredictionRepository,
  outcome: PredictionOutcomeService,
): Promise<PredictionRecord | null> {
  const record = await predictions.getAnyTenant(payload.predictionId);
  if (!record || record.tenant !== payload.tenant) throw noRecord(payload.predictionId);
  if (isFinalStatus(record.status)) {
    await outcome.reannounce(record);
    return null;
  }
  const start = await predictions.markProcessing(record.id, record);
  if (start.state === 'canceled') await outcome.relayNow(start.outbox);
  if (start.state === 'canceled' || start.state === 'ended') return null;
  return { ...record, status: 'processing' };
}
