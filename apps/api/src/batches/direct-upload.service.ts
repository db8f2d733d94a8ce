import { Inject, Injectable } from '@nestjs/common';
import { BatchRepository, type CachedResult, type ImageInfo, PredictionRepository } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { ImageHoldService, type ReleaseHold } from '../erasure/image-hold.service';
import { CachedResultService } from '../predictions/cached-result.service';
import { PredictionAdmissionService } from '../predictions/prediction-admission.service';
import { InferenceQueueService } from '../queue/inference-queue.service';
import type { UploadEntry } from './batch-fields.schema';
import type { RejectedFile, UploadsResult, UploadTicket } from './batch-results.types';
import { ClassifyJobBuffer } from './classify-job.buffer';
import { mapLimit } from '../common/map-limit';
import { type StoredImage, StoredImageVerifier } from './stored-image.verifier';
import { checkUploadEntry } from './upload-entry.check';

/** Entries looked up at once (each costs a few Redis calls and an S3 HEAD). */
const CONCURRENCY = 16;

type Outcome = UploadTicket | RejectedFile;

/** What phase 1 learned of an entry; phase 2 turns it into a prediction. */
type Plan =
  | { kind: 'done'; outcome: Outcome }
  | {
      kind: 'new';
      entry: UploadEntry;
      filename: string;
      metadata: Record<string, unknown>;
      imageKey: string;
      image: ImageInfo;
      cached: CachedResult | null;
      pending: boolean;
    };

/**
 * POST /v1/batches/{id}/uploads: one prediction and one presigned S3 PUT per announced file.
 * Bytes the tenant already stored need no upload (`url: null`): answered from a stored result
 * when there is one, else queued at once. The filename is the file's identity in the batch: the
 * same filename and sha256 again (a client resuming after a crash) answers the same prediction,
 * with a fresh URL while its bytes have not arrived, so nothing is uploaded or counted twice.
 * Lookups run concurrently; predictions are created one after another, in the request's order
 * (the batch's creation order, which the results export keeps).
 */
@Injectable()
export class DirectUploadService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly store: ObjectStore,
    private readonly cache: CachedResultService,
    private readonly admission: PredictionAdmissionService,
    private readonly predictions: PredictionRepository,
    private readonly batches: BatchRepository,
    private readonly verifier: StoredImageVerifier,
    private readonly queue: InferenceQueueService,
    private readonly holds: ImageHoldService,
  ) {}

  async prepare(tenant: string, batchId: string, files: UploadEntry[]): Promise<UploadsResult> {
    const jobs = new ClassifyJobBuffer(this.queue, 1000);
    const outcomes: Outcome[] = [];
    // Every hold taken, released whatever happens (a plan that fails must not leave the others'
    // holds up for their whole lifetime, keeping those images from being erased).
    const held: ReleaseHold[] = [];
    try {
      const plans = await mapLimit(files, CONCURRENCY, (entry) => this.plan(tenant, batchId, entry, held));
      for (const plan of plans)
        outcomes.push(plan.kind === 'done' ? plan.outcome : await this.create(tenant, batchId, plan, jobs));
    } finally {
      await Promise.all(held.map((release) => release()));
      await jobs.flush();
    }
    const result: UploadsResult = { uploads: [], rejected: [] };
    for (const outcome of outcomes) {
      if ('error' in outcome) result.rejected.push(outcome);
      else result.uploads.push(outcome);
    }
    return result;
  }

  private async plan(
    tenant: string,
    batchId: string,
    entry: UploadEntry,
    held: ReleaseHold[],
  ): Promise<Plan> {
    const check = checkUploadEntry(entry, this.config.maxUploadBytes);
    if (!check.ok) return { kind: 'done', outcome: check.rejected };
    const { filename, format, metadata } = check;
    const existingId = await this.batches.findByFilename(batchId, filename);
    if (existingId)
      return {
        kind: 'done',
        outcome: await this.describeExisting(tenant, batchId, existingId, filename, entry),
      };
    const imageKey = objectKeys.image(tenant, entry.sha256);
    // From the HEAD until the record counts the image, an erasure must not delete it (holds,
    // released by prepare once the records exist).
    held.push((await this.holds.hold(tenant, entry.sha256)).release);
    const cached = await this.cache.find(tenant, entry.sha256);
    const stored = await this.storedImage(imageKey, entry.sha256, cached);
    const image = stored?.image ?? { sha256: entry.sha256, bytes: entry.bytes, width: 0, height: 0, format };
    // Bytes already stored need no upload, so their DICOM identifiers are read here, not at completion.
    const withDicom = stored?.dicom ? { ...metadata, dicom: stored.dicom } : metadata;
    return { kind: 'new', entry, filename, metadata: withDicom, imageKey, image, cached, pending: !stored };
  }

  /**
   * The tenant's stored copy of these bytes: a stored result names its image; a DICOM one is read
   * from storage anyway, for the identifiers its record needs.
   */
  private async storedImage(
    imageKey: string,
    sha256: string,
    cached: CachedResult | null,
  ): Promise<StoredImage | null> {
    const fromCache: StoredImage | null = cached ? { image: cached.image, dicom: null } : null;
    if (cached && cached.image.format !== 'dicom') return fromCache;
    return (await this.verifier.probeStored(imageKey, sha256)) ?? fromCache;
  }

  /** Creates the prediction (called in request order) and signs its upload URL when it needs one. */
  private async create(
    tenant: string,
    batchId: string,
    plan: Extract<Plan, { kind: 'new' }>,
    jobs: ClassifyJobBuffer,
  ): Promise<Outcome> {
    const { entry, filename, imageKey, pending } = plan;
    const outcome = await this.admission.admit({
      tenant,
      image: plan.image,
      imageKey,
      filename,
      metadata: plan.metadata,
      webhookUrl: null,
      priority: 'bulk',
      batchId,
      cached: plan.cached,
      pending,
      nameMode: 'unique',
    });
    if (outcome.kind === 'existing')
      return this.describeExisting(tenant, batchId, outcome.id, filename, entry);
    if (outcome.kind === 'batch_sealed')
      return { filename, error: { code: 'batch_sealed', message: 'The batch was sealed meanwhile.' } };
    if (outcome.kind === 'batch_missing')
      return { filename, error: { code: 'not_found', message: 'The batch no longer exists.' } };
    if (outcome.needsJob) await jobs.add(outcome.record.id, tenant);
    return pending
      ? this.ticket(tenant, outcome.record.id, filename, entry)
      : this.noUpload(outcome.record.id, filename);
  }

  /** The filename already names a prediction of this batch: the same file again, or a conflict. */
  private async describeExisting(
    tenant: string,
    batchId: string,
    id: string,
    filename: string,
    entry: UploadEntry,
  ): Promise<Outcome> {
    const record = await this.predictions.get(tenant, id);
    if (!record)
      return {
        filename,
        error: { code: 'not_found', message: `The prediction ${id} this filename named has expired.` },
      };
    if (record.image.sha256 !== entry.sha256) {
      const message = `"${filename}" already names another image in this batch (sha256 ${record.image.sha256.slice(0, 12)}…); a filename names one image per batch.`;
      return { filename, error: { code: 'invalid_request', message } };
    }
    const waiting = await this.predictions.isPendingUpload(batchId, id);
    if (waiting && !(await this.arrived(tenant, id, record.imageKey, entry.bytes)))
      return this.ticket(tenant, id, filename, entry);
    return this.noUpload(id, filename);
  }

  /**
   * Whether bytes for a waiting prediction are already in storage (a client resuming after a crash
   * between its PUT and its completion): staged with the announced size, or verified for another
   * prediction. Completion checks them either way; a URL again would only mean a second PUT.
   */
  private async arrived(tenant: string, id: string, imageKey: string, bytes: number): Promise<boolean> {
    if (await this.store.head(imageKey)) return true;
    const staged = await this.store.head(objectKeys.staging(tenant, id));
    return staged?.size === bytes;
  }

  /**
   * A URL for this prediction's staging key, bound to the announced length and sha256 (refused by
   * AWS S3 and MinIO for other bytes; checked again at completion either way).
   */
  private async ticket(
    tenant: string,
    predictionId: string,
    filename: string,
    entry: UploadEntry,
  ): Promise<UploadTicket> {
    const signed = await this.store.presignPut(
      objectKeys.staging(tenant, predictionId),
      this.config.uploadUrlTtlSeconds,
      { contentType: entry.content_type, contentLength: entry.bytes, sha256Hex: entry.sha256 },
    );
    return {
      prediction_id: predictionId,
      filename,
      url: signed.url,
      headers: signed.headers,
      expires_at: signed.expiresAt.toISOString(),
    };
  }

  private noUpload(predictionId: string, filename: string): UploadTicket {
    return { prediction_id: predictionId, filename, url: null, headers: {}, expires_at: null };
  }
}
