import { Injectable } from '@nestjs/common';
import {
  type FailureCode,
  type Prediction,
  type PredictionRecord,
  PredictionRepository,
  toPublicPrediction,
} from '@dermafleet/jobs';
import { CachedResultService } from '../predictions/cached-result.service';
import { PredictionEventsService } from '../predictions/prediction-events.service';
import { ImageHoldService } from '../erasure/image-hold.service';
import { InferenceQueueService } from '../queue/inference-queue.service';
import { type CompleteResult, errorInfoOf, type RejectedPrediction } from './batch-results.types';
import { ClassifyJobBuffer } from './classify-job.buffer';
import { mapLimit } from '../common/map-limit';
import { StoredImageVerifier } from './stored-image.verifier';

/** Objects verified at once (each is streamed from S3 and hashed). */
const CONCURRENCY = 8;

/**
 * POST /v1/batches/{id}/uploads/complete: the named direct uploads are in S3 (under their staging
 * keys). Each is snapshotted, streamed and hashed, and only then copied to its content address;
 * the right bytes are claimed out of the pending set and enqueued (or answered from a stored
 * result). Once claimed, nothing a URL writes is ever read again: the prediction is no longer
 * pending. Other bytes than announced are discarded and stay pending, so the client can
 * upload again until the batch is sealed; bytes that are no image we take fail the prediction.
 * Completing twice answers the prediction as it stands.
 */
@Injectable()
export class UploadCompletionService {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly verifier: StoredImageVerifier,
    private readonly cache: CachedResultService,
    private readonly events: PredictionEventsService,
    private readonly queue: InferenceQueueService,
    private readonly holds: ImageHoldService,
  ) {}

  async complete(tenant: string, batchId: string, ids: string[]): Promise<CompleteResult> {
    const jobs = new ClassifyJobBuffer(this.queue, 1000);
    let outcomes: Array<Prediction | RejectedPrediction>;
    try {
      outcomes = await mapLimit(ids, CONCURRENCY, (id) => this.completeOne(tenant, batchId, id, jobs));
      // A file sent twice in one archive is PUT once (to the first prediction's URL): its twin,
      // checked concurrently, may have looked before the first was verified. One more look each.
      const missing = outcomes.flatMap((o, i) =>
        !('id' in o) && o.error.code === 'upload_missing' ? [i] : [],
      );
      for (const i of missing) outcomes[i] = await this.completeOne(tenant, batchId, ids[i], jobs);
    } finally {
      await jobs.flush();
    }
    const result: CompleteResult = { accepted: [], rejected: [] };
    for (const outcome of outcomes) {
      if ('id' in outcome) result.accepted.push(outcome);
      else result.rejected.push(outcome);
    }
    return result;
  }

  private async completeOne(
    tenant: string,
    batchId: string,
    id: string,
    jobs: ClassifyJobBuffer,
  ): Promise<Prediction | RejectedPrediction> {
    const reject = (code: RejectedPrediction['error']['code'], message: string): RejectedPrediction => ({
      prediction_id: id,
      error: { code, message },
    });
    const record = /^prd_[A-Za-z0-9_-]{16,64}$/.test(id) ? await this.predictions.get(tenant, id) : null;
    if (!record || record.batch_id !== batchId)
      return reject('not_found', 'No such prediction in this batch.');
    // The copy to the content address happens below: an erasure of this record meanwhile must
    // not delete the image before the copy lands and leave it behind after. The hold comes before
    // the pending check, so an erasure either came first (the record left the pending set) or
    // waits for the release to delete the copy.
    const { release } = await this.holds.hold(tenant, record.image.sha256);
    try {
      if (!(await this.predictions.isPendingUpload(batchId, id))) {
        const now = await this.predictions.get(tenant, id); // erased meanwhile: gone
        return now ? this.asItStands(now, jobs) : reject('not_found', 'No such prediction in this batch.');
      }
      return await this.verifyAndClaim(tenant, batchId, id, record, jobs);
    } finally {
      await release();
    }
  }

  private async verifyAndClaim(
    tenant: string,
    batchId: string,
    id: string,
    record: PredictionRecord,
    jobs: ClassifyJobBuffer,
  ): Promise<Prediction | RejectedPrediction> {
    const reject = (code: RejectedPrediction['error']['code'], message: string): RejectedPrediction => ({
      prediction_id: id,
      error: { code, message },
    });
    const verified = await this.verifier.verifyStaged(tenant, id, record.imageKey, record.image);
    if (verified.kind === 'missing')
      return reject('upload_missing', 'Nothing has arrived at its upload URL yet.');
    if (verified.kind === 'mismatch') return reject('invalid_request', verified.message);
    if (verified.kind === 'refused') {
      const error = errorInfoOf(verified.error);
      const code: FailureCode = error.code === 'image_too_large' ? 'image_too_large' : 'invalid_image';
      const outcome = await this.predictions.failPendingUpload(batchId, id, { code, message: error.message });
      await this.events.relayNow(outcome.outbox);
      return { prediction_id: id, error };
    }
    // A DICOM file's identifiers are the bytes' own (they replace any `dicom` the client sent).
    const metadata = verified.dicom ? { ...record.metadata, dicom: verified.dicom } : undefined;
    if (!(await this.predictions.claimUpload(batchId, id, verified.image, metadata))) {
      return this.asItStands((await this.predictions.get(tenant, id)) ?? record, jobs);
    }
    const cached = await this.cache.find(tenant, verified.image.sha256);
    if (cached) {
      await this.events.relayNow((await this.predictions.markSucceeded(id, cached.result)).outbox);
    } else {
      await jobs.add(id, tenant);
    }
    return this.current(tenant, id, record);
  }

  /** Already completed (or failed at seal): no work, the prediction as it stands. */
  private async asItStands(
    record: PredictionRecord,
    jobs: ClassifyJobBuffer,
  ): Promise<Prediction | RejectedPrediction> {
    if (record.status === 'failed' && record.error?.code === 'upload_missing') {
      return { prediction_id: record.id, error: { code: 'upload_missing', message: record.error.message } };
    }
    // A queued record whose enqueue may have been lost (a crash right after the claim): enqueueing
    // again is a no-op while its job exists (the job id is the prediction id).
    if (record.status === 'queued') await jobs.add(record.id, record.tenant);
    return toPublicPrediction(record);
  }

  private async current(tenant: string, id: string, fallback: PredictionRecord): Promise<Prediction> {
    return toPublicPrediction((await this.predictions.get(tenant, id)) ?? fallback);
  }
}
