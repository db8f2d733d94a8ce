import { Inject, Injectable, Logger } from '@nestjs/common';
import { contentTypeOf } from '@dermafleet/inference';
import {
  HOT_IMAGE_MAX_BYTES,
  HotImageStore,
  type ImageInfo,
  type PredictionPriority,
  type PredictionRecord,
} from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { InferenceQueueService } from '../queue/inference-queue.service';
import { CachedResultService } from './cached-result.service';
import { PredictionAdmissionService } from './prediction-admission.service';
import type { SpooledFile } from '../uploads/spooled-file';
import { checkSpooled } from './upload-check';
import { storedImage } from './stored-image';
import { withDicomMetadata } from '../dicom/dicom-metadata';
import { ImageHoldService } from '../erasure/image-hold.service';

export interface IntakeRequest {
  /** A pre-generated id (Idempotency-Key), else a new one. */
  id?: string;
  tenant: string;
  /** The image as received (spooled); the caller disposes of it. */
  upload: SpooledFile;
  filename: string | null;
  metadata: Record<string, unknown>;
  webhookUrl: string | null;
  priority: PredictionPriority;
  /** The header checks' result, when the caller already made them (else made here). */
  image?: ImageInfo;
  /** The Idempotency-Key reservation's Redis key (kept on the record for erasure). */
  idempotencyKey?: string;
}

/** `created` false: a record with this id existed already (an Idempotency-Key repeat). */
export interface IntakeOutcome {
  record: PredictionRecord;
  created: boolean;
}

/**
 * Accepts one image (POST /v1/predictions): checks its header, answers it from a stored result of
 * the same bytes when there is one, else stores it content-addressed in S3, writes the record and
 * enqueues the job, in that order (a job never points at a missing image or record).
 * Crash windows: before the record, nothing exists but maybe an image in S3 (content-addressed,
 * harmless; a retry with the same Idempotency-Key reuses it). The record and its work-index
 * entry are one Lua call: from then on the prediction is owned, and if the process dies before
 * the job is added (or Redis refuses it), the reconciler adds it after RECONCILE_AFTER_MS.
 */
@Injectable()
export class PredictionIntakeService {
  private readonly logger = new Logger('Intake');

  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly store: ObjectStore,
    private readonly cache: CachedResultService,
    private readonly admission: PredictionAdmissionService,
    private readonly queue: InferenceQueueService,
    private readonly hot: HotImageStore,
    private readonly holds: ImageHoldService,
  ) {}

  async accept(request: IntakeRequest): Promise<IntakeOutcome> {
    const image = request.image ?? (await checkSpooled(request.upload, this.config));
    const metadata = await withDicomMetadata(
      request.metadata,
      image.format,
      request.upload,
      this.config.dicomPatientId,
    );
    const imageKey = objectKeys.image(request.tenant, image.sha256);
    // From here until the record counts the image, an erasure must not delete it (holds).
    const hold = await this.holds.hold(request.tenant, image.sha256);
    try {
      return await this.storeAndAdmit(request, image, metadata, imageKey, hold.referenced);
    } finally {
      await hold.release();
    }
  }

  private async storeAndAdmit(
    request: IntakeRequest,
    image: ImageInfo,
    metadata: Record<string, unknown>,
    imageKey: string,
    referenced: boolean,
  ): Promise<IntakeOutcome> {
    // Independent look-ups, in parallel: the interactive path is latency-bound. See storedImage.
    const [cached, stored] = await Promise.all([
      this.cache.find(request.tenant, image.sha256),
      storedImage(this.store, imageKey, referenced),
    ]);
    if (!cached) {
      // The durable S3 object, and for an interactive image the worker's hand-off copy in Redis
      // (see HotImageStore): both are written before the job exists. The upload is spooled (disk
      // beyond 64 KiB), so the hand-off copy is read back only when it is small enough to keep.
      const { upload } = request;
      const handOff =
        request.priority === 'interactive' &&
        this.config.pipeline !== 'split' &&
        upload.size <= HOT_IMAGE_MAX_BYTES;
      await Promise.all([
        stored
          ? undefined
          : this.holds.beforeStoring(request.tenant, image.sha256).then(() =>
              this.store.put(imageKey, upload.body(), {
                contentType: contentTypeOf(image.format),
                contentLength: upload.size,
                sha256Hex: image.sha256,
              }),
            ),
        handOff
          ? upload.head(upload.size).then((bytes) => this.hot.put(request.tenant, image.sha256, bytes))
          : undefined,
      ]);
    }
    const outcome = await this.admission.admit({
      ...request,
      metadata,
      image,
      imageKey,
      batchId: null,
      cached,
    });
    if (outcome.kind === 'existing')
      return { record: await this.existing(request.tenant, outcome.id), created: false };
    if (outcome.kind !== 'created')
      throw new Error(`A prediction outside a batch was not created (${outcome.kind}).`);
    if (outcome.needsJob) await this.enqueue(outcome.record);
    return { record: outcome.record, created: true };
  }

  private async existing(tenant: string, id: string): Promise<PredictionRecord> {
    const record = await this.admission.find(tenant, id);
    if (!record) throw new Error(`Prediction ${id} exists for another tenant or vanished.`);
    return record;
  }

  /**
   * The record is committed and owns the work: a failed enqueue is not the client's problem and
   * must not make it retry into a second prediction. The reconciler enqueues it from the work index.
   */
  private async enqueue(record: PredictionRecord): Promise<void> {
    try {
      await this.queue.enqueueClassify({ predictionId: record.id, tenant: record.tenant }, record.priority);
    } catch (err) {
      this.logger.warn(`Enqueue of ${record.id} deferred to the reconciler: ${(err as Error).message}`);
    }
  }
}
