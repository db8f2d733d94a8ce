import { InferenceError } from '@dermafleet/inference';
import type { FailureCode, PredictionRecord } from '@dermafleet/jobs';
import { type Job, UnrecoverableError } from 'bullmq';
import type { PredictionOutcomeService } from './prediction-outcome.service';

/** The failure code a permanent error gives its prediction: the image's fault, or the model's. */
function permanentCode(err: InferenceError): FailureCode {
  if (err.code === 'image_too_large') return 'image_too_large';
  if (err.code === 'invalid_image') return 'invalid_image';
  return 'inference_failed'; // invalid_model: no retry helps, but the image is not to blame
}

/** Whether this attempt is the job's last (BullMQ counts attemptsMade before this one). */
export function isLastAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * Ends a failed attempt the way every prediction job does: a permanent problem (a bad image)
 * fails the prediction at once and is never retried; a transient one is thrown so BullMQ retries
 * it, and the last attempt marks the prediction failed (STYLE.md: errors that mean something).
 */
export async function failAttempt(
  err: unknown,
  job: Job,
  record: PredictionRecord,
  outcome: PredictionOutcomeService,
): Promise<never> {
  if (err instanceof UnrecoverableError) throw err;
  if (err instanceof InferenceError && err.permanent) {
    await outcome.fail(record, { code: permanentCode(err), message: err.message });
    throw new UnrecoverableError(err.message);
  }
  if (isLastAttempt(job)) {
    await outcome.fail(record, { code: 'inference_failed', message: (err as Error).message });
  }
  throw err;
}

/** Fails the prediction for good with a code of our choosing (e.g. upload_missing). */
export async function failPermanently(
  record: PredictionRecord,
  code: FailureCode,
  message: string,
  outcome: PredictionOutcomeService,
): Promise<never> {
  await outcome.fail(record, { code, message });
  throw new UnrecoverableError(message);
}

/** A prediction whose record was never written or has expired: nothing to do, never retried. */
export function noRecord(predictionId: string): UnrecoverableError {
  return new UnrecoverableError(`Prediction ${predictionId} has no record (expired or never written).`);
}
