import type { PredictionRecord, PredictionRepository } from '@dermafleet/jobs';
import { noRecord } from './attempt-failure';
import type { PredictionOutcomeService } from './prediction-outcome.service';

/**
 * How every prediction job begins: load its record (a missing or foreign one is never retried),
 * and if an earlier attempt already finished it, announce that again (the attempt may have died
 * between the state change and the announcement; the sink de-duplicates) and do nothing else.
 * Returns the record, moved to `processing`, or null when there is nothing left to do.
 */
export async function startAttempt(
  payload: { predictionId: string; tenant: string },
  predictions: PredictionRepository,
  outcome: PredictionOutcomeService,
): Promise<PredictionRecord | null> {
  const record = await predictions.getAnyTenant(payload.predictionId);
  if (!record || record.tenant !== payload.tenant) throw noRecord(payload.predictionId);
  if (record.status === 'succeeded' || record.status === 'failed') {
    await outcome.reannounce(record);
    return null;
  }
  await predictions.markProcessing(record.id);
  return record;
}
