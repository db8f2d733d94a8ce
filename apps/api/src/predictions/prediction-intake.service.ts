import { Inject, Injectable } from '@nestjs/common';
import { newId, PredictionRecord, PredictionRepository, type PredictionPriority } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { InferenceQueueService } from '../queue/inference-queue.service';
import { checkUpload } from './upload-check';

export interface IntakeRequest {
  tenant: string;
  bytes: Buffer;
  filename: string | null;
  metadata: Record<string, unknown>;
  webhookUrl: string | null;
  priority: PredictionPriority;
  batchId: string | null;
}

/**
 * Accepts one image: checks its header, stores it content-addressed in S3, writes the prediction
 * record, then enqueues the job. The order matters: a job never points at a missing image or record.
 */
@Injectable()
export class PredictionIntakeService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly store: ObjectStore,
    private readonly predictions: PredictionRepository,
    private readonly queue: InferenceQueueService,
  ) {}

  async accept(request: IntakeRequest): Promise<PredictionRecord> {
    const image = checkUpload(request.bytes, this.config);
    const imageKey = objectKeys.image(request.tenant, image.sha256);
    if (!(await this.store.head(imageKey))) {
      await this.store.put(imageKey, request.bytes, { contentType: `image/${image.format}` });
    }
    const record: PredictionRecord = {
      id: newId('prd'),
      status: 'queued',
      created_at: new Date().toISOString(),
      completed_at: null,
      batch_id: request.batchId,
      filename: request.filename,
      metadata: request.metadata,
      image,
      result: null,
      error: null,
      tenant: request.tenant,
      imageKey,
      priority: request.priority,
      webhookUrl: request.webhookUrl,
    };
    await this.predictions.create(record);
    await this.queue.enqueueClassify({ predictionId: record.id, tenant: record.tenant }, record.priority);
    return record;
  }
}
