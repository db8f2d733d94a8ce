import type { ImageFormat } from '@dermafleet/jobs';
import { z } from 'zod';
import { metadataObjectSchema } from '../common/metadata.schema';
import { webhookUrlSchema } from '../predictions/prediction-fields.schema';

export const createBatchSchema = z.object({
  name: z.string().min(1).max(200).nullish(),
  webhook_url: webhookUrlSchema.nullish(),
  metadata: metadataObjectSchema.optional(),
  notify: z.enum(['batch', 'each'], { message: 'notify must be "batch" or "each"' }).default('batch'),
});

export const listBatchesSchema = z.object({
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The content types a direct upload may declare, and the format each names. */
export const uploadContentTypes: Readonly<Record<string, ImageFormat>> = {
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/tiff': 'tiff',
  'image/gif': 'gif',
  'image/bmp': 'bmp',
  'image/x-ms-bmp': 'bmp',
  'application/dicom': 'dicom',
};

export const MAX_UPLOADS_PER_CALL = 1000;

export const uploadsSchema = z.object({
  files: z
    .array(
      z.object({
        filename: z.string().max(4096),
        sha256: z
          .string()
          .regex(/^[0-9a-fA-F]{64}$/, 'sha256 must be 64 hex digits')
          .transform((s) => s.toLowerCase()),
        bytes: z.number().int().min(1, 'bytes must be 1 or more'),
        content_type: z.string().min(1).max(255),
        // Checked per entry (a rejected entry, not a refused call): see checkUploadEntry.
        metadata: z.unknown().optional(),
      }),
    )
    .min(1, 'files must name at least one file')
    .max(MAX_UPLOADS_PER_CALL, `files may name at most ${MAX_UPLOADS_PER_CALL} files per call`),
});
export type UploadEntry = z.output<typeof uploadsSchema>['files'][number];

export const completeSchema = z.object({
  prediction_ids: z
    .array(z.string().max(100))
    .min(1, 'prediction_ids must name at least one prediction')
    .max(
      MAX_UPLOADS_PER_CALL,
      `prediction_ids may name at most ${MAX_UPLOADS_PER_CALL} predictions per call`,
    ),
});

export const resultsQuerySchema = z.object({
  format: z
    .enum(['ndjson', 'csv', 'fhir-ndjson'], { message: 'format must be "ndjson", "csv" or "fhir-ndjson"' })
    .default('ndjson')
    .describe(
      'ndjson: one prediction object a line; csv; fhir-ndjson: one FHIR R4 Observation a line (succeeded predictions only)',
    ),
});
