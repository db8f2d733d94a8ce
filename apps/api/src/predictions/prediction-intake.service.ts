import { Inject, Injectable } from '@nestjs/common';
import type { PredictionPriority, PredictionRecord } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { InferenceQueueService } from '../queue/inference-queue.service';
import { CachedResultService } from './cached-result.service';
import { PredictionAdmissionService } from './prediction-admission.service';
import type { SpooledFile } from '../uploads/spooled-file';
import { checkSpooled } from './upload-check';

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
}

/**
 * Accepts one image (POST /v1/predictions): checks its header, answers it from a stored result of
 * the same bytes when there is one, else stores it content-addressed in S3, writes the record and
 * enqueues the job, in that order (a job never points at a missing image or record).
 */
@Injectable()
export class PredictionIntakeService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly store: ObjectStore,
    private readonly cache: CachedResultService,
    private readonly admission: PredictionAdmissionService,
    private readonly queue: InferenceQueueService,
  ) {}

  async accept(request: IntakeRequest): Promise<PredictionRecord> {
    const image = await checkSpooled(request.upload, this.config);
    const imageKey = objectKeys.image(request.tenant, image.sha256);
    const cached = await this.cache.find(request.tenant, image.sha256);
    if (!cached && !(await this.store.head(imageKey))) {
      await this.store.put(imageKey, request.upload.body(), {
        contentType: `image/${image.format}`,
        contentLength: request.upload.size,
      });
    }
    const outcome = await this.admission.admit({ ...request, image, imageKey, batchId: null, cached });
    if (outcome.kind !== 'created')
      throw new Error(`A prediction outside a batch was not created (${outcome.kind}).`);
    if (outcome.needsJob) {
      await this.queue.enqueueClassify(
        { predictionId: outcome.record.id, tenant: request.tenant },
        request.priority,
      );
    }
    return outcome.record;
  }
}
