import { z } from 'zod';

export const predictionStatus = ['queued', 'processing', 'succeeded', 'failed', 'canceled'] as const;
export type PredictionStatus = (typeof predictionStatus)[number];

/** The statuses a prediction ends in: no worker touches it again unless a retry re-queues it. */
export const finalStatuses = ['succeeded', 'failed', 'canceled'] as const;
export type FinalStatus = (typeof finalStatuses)[number];

export function isFinalStatus(status: string): status is FinalStatus {
  return (finalStatuses as readonly string[]).includes(status);
}

export const imageFormats = ['jpeg', 'png', 'webp', 'tiff', 'gif', 'bmp', 'dicom'] as const;
export type ImageFormat = (typeof imageFormats)[number];

export interface ImageInfo {
  sha256: string;
  bytes: number;
  width: number;
  height: number;
  format: ImageFormat;
}

/** The contract's `result` (structurally the same as libs/inference's ClassificationResult). */
export const predictionResultSchema = z.object({
  label: z.string(),
  confidence: z.number(),
  probabilities: z.array(z.object({ label: z.string(), probability: z.number() })),
  model: z.object({ id: z.string(), version: z.string() }),
  preprocessing: z.object({ mode: z.enum(['exact', 'fast']), auto_orient: z.boolean() }),
  cached: z.boolean(),
});
export type PredictionResult = z.infer<typeof predictionResultSchema>;

export const failureCodes = [
  'invalid_image',
  'image_too_large',
  'upload_missing',
  'inference_failed',
  // Contract v3: the image took its worker down on every attempt (set by the reconciler).
  'worker_crashed',
] as const;
export type FailureCode = (typeof failureCodes)[number];

export interface PredictionError {
  code: FailureCode;
  message: string;
}

/** The public prediction object (CONTRACT.md). */
export interface Prediction {
  id: string;
  status: PredictionStatus;
  created_at: string;
  completed_at: string | null;
  batch_id: string | null;
  filename: string | null;
  metadata: Record<string, unknown>;
  image: ImageInfo;
  result: PredictionResult | null;
  error: PredictionError | null;
  /** How many times it was run: 1, plus one per `POST /v1/batches/{id}/retry` that re-queued it. */
  attempts: number;
}

/** What we keep beside the public object, never shown to clients. */
export interface PredictionInternals {
  tenant: string;
  imageKey: string;
  priority: 'interactive' | 'bulk';
  webhookUrl: string | null;
}

export type PredictionRecord = Prediction & PredictionInternals;

export function toPublicPrediction(record: PredictionRecord): Prediction {
  return {
    id: record.id,
    status: record.status,
    created_at: record.created_at,
    completed_at: record.completed_at,
    batch_id: record.batch_id,
    filename: record.filename,
    metadata: record.metadata,
    image: record.image,
    result: record.result,
    error: record.error,
    attempts: record.attempts,
  };
}
