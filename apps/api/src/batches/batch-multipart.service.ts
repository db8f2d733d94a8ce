import { Inject, Injectable } from '@nestjs/common';
import { contentTypeOf } from '@dermafleet/inference';
import { BatchRepository, type Prediction, PredictionRepository, toPublicPrediction } from '@dermafleet/jobs';
import { ObjectStore, objectKeys } from '@dermafleet/storage';
import type { IncomingMessage } from 'node:http';
import { API_CONFIG, ApiConfig } from '../config/api.config';
import { storedImage } from '../predictions/stored-image';
import { withDicomMetadata } from '../dicom/dicom-metadata';
import { ImageHoldService } from '../erasure/image-hold.service';
import { ApiError } from '../errors/api-error';
import { CachedResultService } from '../predictions/cached-result.service';
import { PredictionAdmissionService } from '../predictions/prediction-admission.service';
import { metadataFieldSchema } from '../predictions/prediction-fields.schema';
import { checkSpooled } from '../predictions/upload-check';
import { InferenceQueueService } from '../queue/inference-queue.service';
import { checkBatchFilename } from './batch-filename';
import { type AddImagesResult, errorInfoOf, type RejectedFile } from './batch-results.types';
import { ClassifyJobBuffer } from './classify-job.buffer';
import { MultipartError, type MultipartPart, multipartParts } from '../uploads/multipart-parts';

type FilePart = Extract<MultipartPart, { kind: 'file' }>;
type Metadata = { value: Record<string, unknown> } | { problem: string };

/**
 * POST /v1/batches/{id}/images: many `image` file parts in one streamed request. Each part is
 * received (up to MAX_UPLOAD_BYTES, spooled to disk beyond 64 KiB), checked, stored and admitted
 * before the next is read, so one bad part is rejected alone and the request never sits in memory. A `metadata` field applies to the
 * image parts after it. Re-sending the same filename with the same bytes (a client retrying after
 * a lost answer) answers the prediction it already created.
 */
@Injectable()
export class BatchMultipartService {
  constructor(
    @Inject(API_CONFIG) private readonly config: ApiConfig,
    private readonly store: ObjectStore,
    private readonly cache: CachedResultService,
    private readonly admission: PredictionAdmissionService,
    private readonly predictions: PredictionRepository,
    private readonly batches: BatchRepository,
    private readonly queue: InferenceQueueService,
    private readonly holds: ImageHoldService,
  ) {}

  async add(tenant: string, batchId: string, req: IncomingMessage): Promise<AddImagesResult> {
    const result: AddImagesResult = { accepted: [], rejected: [] };
    const jobs = new ClassifyJobBuffer(this.queue);
    let metadata: Metadata = { value: {} };
    let files = 0;
    const limits = {
      fileBytes: this.config.maxUploadBytes,
      fieldBytes: 8 * 1024,
      files: 100_000,
      fields: 100_000,
    };
    try {
      for await (const part of multipartParts(req, limits)) {
        if (part.kind === 'field') {
          if (part.name === 'metadata') metadata = this.parseMetadata(part.value, part.truncated);
          continue;
        }
        files++;
        const outcome = await this.addOne(tenant, batchId, part, metadata, jobs).finally(() =>
          part.file.dispose(),
        );
        if ('id' in outcome) result.accepted.push(outcome);
        else result.rejected.push(outcome);
      }
    } catch (err) {
      if (!(err instanceof MultipartError)) throw err;
      // The body broke after some parts were taken: those stay taken (sending the same files
      // again answers the same predictions), and the client learns which ones they were.
      const taken = result.accepted.length
        ? ` The ${result.accepted.length} image(s) before it were accepted (${result.accepted
            .map((p) => p.filename ?? p.id)
            .slice(0, 20)
            .join(', ')}); sending them again is safe.`
        : '';
      throw ApiError.invalid(`The body could not be read as multipart/form-data: ${err.message}.${taken}`);
    } finally {
      await jobs.flush();
    }
    if (files === 0)
      throw ApiError.invalid('Send one or more images as multipart/form-data file fields named "image".');
    return result;
  }

  private parseMetadata(value: string, truncated: boolean): Metadata {
    if (truncated) return { problem: 'The metadata field before this file is larger than 4 KiB.' };
    const parsed = metadataFieldSchema.safeParse(value);
    return parsed.success
      ? { value: parsed.data }
      : { problem: `The metadata field before this file is invalid: ${parsed.error.issues[0].message}.` };
  }

  private async addOne(
    tenant: string,
    batchId: string,
    part: FilePart,
    metadata: Metadata,
    jobs: ClassifyJobBuffer,
  ): Promise<Prediction | RejectedFile> {
    const reject = (
      code: RejectedFile['error']['code'],
      message: string,
      filename: string | null = part.filename || null,
    ): RejectedFile => ({
      filename,
      error: { code, message },
    });
    if (part.name !== 'image')
      return reject(
        'invalid_request',
        `Send images in file fields named "image" (this one is "${part.name}").`,
      );
    const name = part.filename ? checkBatchFilename(part.filename) : null;
    if (name && !name.ok) return reject('invalid_request', name.message);
    const filename = name?.ok ? name.filename : null;
    if ('problem' in metadata) return reject('invalid_request', metadata.problem, filename);
    let image;
    try {
      image = await checkSpooled(part.file, this.config);
    } catch (err) {
      if (err instanceof ApiError) return reject(err.code, errorInfoOf(err).message, filename);
      throw err;
    }
    if (filename) {
      const existingId = await this.batches.findByFilename(batchId, filename);
      const existing = existingId ? await this.predictions.get(tenant, existingId) : null;
      if (existing && existing.image.sha256 === image.sha256) {
        // A retried request after a crash: its job may have been still buffered. Enqueueing again
        // is a no-op while the job exists (job id = prediction id).
        if (existing.status === 'queued') await jobs.add(existing.id, tenant);
        return toPublicPrediction(existing);
      }
    }
    const imageKey = objectKeys.image(tenant, image.sha256);
    // From here until the record counts the image, an erasure must not delete it (holds).
    const hold = await this.holds.hold(tenant, image.sha256);
    let outcome;
    try {
      const cached = await this.cache.find(tenant, image.sha256);
      if (!cached && !(await storedImage(this.store, imageKey, hold.referenced))) {
        await this.holds.beforeStoring(tenant, image.sha256);
        await this.store.put(imageKey, part.file.body(), {
          contentType: contentTypeOf(image.format),
          contentLength: part.file.size,
          sha256Hex: image.sha256,
        });
      }
      outcome = await this.admission.admit({
        tenant,
        image,
        imageKey,
        filename,
        metadata: await withDicomMetadata(
          metadata.value,
          image.format,
          part.file,
          this.config.dicomPatientId,
        ),
        webhookUrl: null,
        priority: 'bulk',
        batchId,
        cached,
        nameMode: 'remember',
      });
    } finally {
      await hold.release();
    }
    if (outcome.kind === 'batch_sealed')
      return reject('batch_sealed', 'The batch was sealed while this request was being read.', filename);
    if (outcome.kind !== 'created') return reject('not_found', 'The batch no longer exists.', filename);
    if (outcome.needsJob) await jobs.add(outcome.record.id, tenant);
    return toPublicPrediction(outcome.record);
  }
}
