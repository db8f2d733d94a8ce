import { Injectable } from '@nestjs/common';
import {
  type CachedResult,
  type CreateOptions,
  type ImageInfo,
  newId,
  type PredictionPriority,
  type PredictionRecord,
  PredictionRepository,
} from '@dermafleet/jobs';
import { CachedResultService } from './cached-result.service';
import { PredictionEventsService } from './prediction-events.service';

export interface AdmitInput {
  /** A pre-generated id (Idempotency-Key reserves it before the record exists). */
  id?: string;
  tenant: string;
  image: ImageInfo;
  imageKey: string;
  filename: string | null;
  metadata: Record<string, unknown>;
  webhookUrl: string | null;
  priority: PredictionPriority;
  batchId: string | null;
  /** The dedupe lookup when the caller already made it (null: nothing to reuse); else made here. */
  cached?: CachedResult | null;
  /** The bytes are not in S3 yet: a direct upload brings them later (no dedupe, no job yet). */
  pending?: boolean;
  nameMode?: CreateOptions['nameMode'];
  /** The Idempotency-Key reservation's Redis key, kept on the record (erasure deletes it). */
  idempotencyKey?: string;
}

export type AdmitOutcome =
  | { kind: 'created'; record: PredictionRecord; needsJob: boolean }
  | { kind: 'existing'; id: string }
  | { kind: 'batch_sealed' }
  | { kind: 'batch_missing' };

/**
 * Turns an accepted image into a prediction record: answered at once from a stored result of
 * the same bytes (status succeeded, result.cached true, no job), or queued for the worker. Single
 * uploads and every batch path share it; the caller stores the bytes first and enqueues after,
 * so a job never points at a missing image or record.
 */
@Injectable()
export class PredictionAdmissionService {
  constructor(
    private readonly predictions: PredictionRepository,
    private readonly cache: CachedResultService,
    private readonly events: PredictionEventsService,
  ) {}

  /** A tenant's record by id (what an `existing` outcome names). */
  async find(tenant: string, id: string): Promise<PredictionRecord | null> {
    return this.predictions.get(tenant, id);
  }

  async admit(input: AdmitInput): Promise<AdmitOutcome> {
    const cached = input.pending
      ? null
      : input.cached !== undefined
        ? input.cached
        : await this.cache.find(input.tenant, input.image.sha256);
    const now = new Date().toISOString();
    const record: PredictionRecord = {
      id: input.id ?? newId('prd'),
      status: cached ? 'succeeded' : 'queued',
      created_at: now,
      completed_at: cached ? now : null,
      batch_id: input.batchId,
      filename: input.filename,
      metadata: input.metadata,
      image: input.image,
      result: cached ? cached.result : null,
      error: null,
      attempts: 1,
      tenant: input.tenant,
      imageKey: input.imageKey,
      priority: input.priority,
      webhookUrl: input.webhookUrl,
    };
    const created = await this.predictions.create(record, {
      nameMode: input.nameMode,
      pending: input.pending,
      idempotencyKey: input.idempotencyKey,
    });
    if (created.kind !== 'created') return created;
    // A cached answer is final at once: its event and S3 copy are in the outbox already.
    await this.events.relayNow(created.outbox);
    return { kind: 'created', record, needsJob: !cached && !input.pending };
  }
}
