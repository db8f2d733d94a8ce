import { Inject, Injectable } from '@nestjs/common';
import { HotImageStore, type PredictionPriority, type PredictionRecord } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { InferenceQueueService } from '../queue/inference-queue.service';
import { CachedResultService } from './cached-result.service';
import { PredictionAdmissionService } from './prediction-admission.service';
import { checkUpload } from './upload-check';

export interface IntakeRequest {
  /** A pre-generated id (Idempotency-Key), else a new one. */
  id?: string;
  tenant: string;
  bytes: Buffer;
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
    private readonly hot: HotImageStore,
  ) {}

  async accept(request: IntakeRequest): Promise<PredictionRecord> {
    const image = checkUpload(request.bytes, this.config);
    const imageKey = objectKeys.image(request.tenant, image.sha256);
    // Independent look-ups, in parallel: the interactive path is latency-bound.
    const [cached, stored] = await Promise.all([
      this.cache.find(request.tenant, image.sha256),
      this.store.head(imageKey),
    ]);
    if (!cached) {
      // The durable S3 object, and for an interactive image the worker's hand-off copy in Redis
      // (see HotImageStore): both are written before the job exists.
      await Promise.all([
        stored
          ? undefined
          : this.store.put(imageKey, request.bytes, { contentType: `image/${image.format}` }),
        request.priority === 'interactive' && this.config.pipeline !== 'split'
          ? this.hot.put(request.tenant, image.sha256, request.bytes)
          : undefined,
      ]);
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
