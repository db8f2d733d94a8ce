import type { PredictionRecord } from '@dermafleet/jobs';
import { type ObjectStore, readVerified } from '@dermafleet/storage';
import { failPermanently } from './attempt-failure';
import type { PredictionOutcomeService } from './prediction-outcome.service';

/**
 * The image bytes a prediction's record names, re-checked against its recorded size and sha256
 * (DESIGN.md: workers re-check what they read). Streamed with the recorded size as a cap, so an
 * object that grew in storage is never read whole. A missing object fails with `upload_missing`,
 * other bytes with `invalid_image`; both are permanent (no retry brings the right bytes back).
 */
export async function loadRecordedImage(
  store: ObjectStore,
  record: PredictionRecord,
  outcome: PredictionOutcomeService,
): Promise<Buffer> {
  const read = await readVerified(store, record.imageKey, record.image);
  if (read.kind === 'ok') return read.bytes;
  if (read.kind === 'missing')
    return failPermanently(record, 'upload_missing', 'The image is no longer in storage.', outcome);
  return failPermanently(record, 'invalid_image', `${read.message} It was not classified.`, outcome);
}
