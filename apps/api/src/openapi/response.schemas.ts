import { deliveryStatuses, predictionStatus } from '@dermafleet/jobs';
import { z } from 'zod';

/*
 * The contract's response objects (CONTRACT.md) as zod schemas, for the OpenAPI document (`meta({ id })`
 * names a component, referenced wherever the object appears). The
 * runtime types of these objects are still TypeScript interfaces in libs/jobs (shared with the
 * worker and the CLI); moving them onto these schemas is the next step, see docs/OPENAPI.md.
 */

const nullableString = z.string().nullable();

export const errorBodySchema = z
  .object({
    error: z.object({ code: z.string().describe('snake_case error code'), message: z.string() }),
  })
  .meta({ id: 'ErrorBody' });

export const imageInfoSchema = z.object({
  sha256: z.string(),
  bytes: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  format: z.enum(['jpeg', 'png', 'webp', 'tiff', 'gif', 'bmp', 'dicom']),
});

export const resultSchema = z.object({
  label: z.string(),
  confidence: z.number(),
  probabilities: z
    .array(z.object({ label: z.string(), probability: z.number() }))
    .describe('Every class, in the model index order (id2label).'),
  model: z.object({ id: z.string(), version: z.string().describe('sha256:<hex of model.onnx>') }),
  preprocessing: z.object({ mode: z.enum(['exact', 'fast']), auto_orient: z.boolean() }),
  cached: z.boolean().describe('True when reused from an identical earlier image.'),
});

export const predictionSchema = z
  .object({
    id: z.string().describe('prd_...'),
    status: z
      .enum(predictionStatus)
      .describe(
        'canceled: its batch was canceled before a worker started it (final, like succeeded and failed)',
      ),
    created_at: z.string(),
    completed_at: nullableString,
    batch_id: nullableString,
    filename: nullableString,
    metadata: z
      .record(z.string(), z.unknown())
      .describe(
        "The client's metadata; for a DICOM upload (multipart or direct), `dicom` holds the file's study_instance_uid, series_instance_uid, sop_instance_uid, accession_number, modality and body_part_examined (those present), and patient_id only under DICOM_PATIENT_ID=hash|keep.",
      ),
    image: imageInfoSchema,
    result: resultSchema.nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    attempts: z
      .number()
      .int()
      .describe(
        'How many times it was run: 1, plus one for each POST /v1/batches/{id}/retry that queued it again.',
      ),
  })
  .meta({ id: 'Prediction' });

export const batchSchema = z
  .object({
    id: z.string().describe('bat_...'),
    status: z.enum(['open', 'sealed', 'completed']),
    name: nullableString,
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    sealed_at: nullableString,
    completed_at: nullableString,
    canceled_at: nullableString.describe('when POST /v1/batches/{id}/cancel was first called, else null'),
    counts: z.object({
      total: z.number().int(),
      queued: z.number().int(),
      processing: z.number().int(),
      succeeded: z.number().int(),
      failed: z.number().int(),
      canceled: z.number().int(),
    }),
    model_versions: z
      .array(z.string())
      .describe('the distinct model.version values of its results so far (a rolling upgrade shows here)'),
  })
  .meta({ id: 'Batch' });

export const batchPageSchema = z.object({ batches: z.array(batchSchema), next_cursor: nullableString });

const rejectedFile = z.object({ filename: nullableString, error: errorBodySchema.shape.error });

export const addImagesResultSchema = z.object({
  accepted: z.array(predictionSchema),
  rejected: z.array(rejectedFile),
});

export const uploadsResultSchema = z.object({
  uploads: z.array(
    z.object({
      prediction_id: z.string(),
      filename: z.string(),
      url: nullableString.describe('null when the bytes are already stored'),
      headers: z.record(z.string(), z.string()).describe('send these headers with the PUT'),
      expires_at: nullableString,
    }),
  ),
  rejected: z.array(rejectedFile),
});

export const completeResultSchema = z.object({
  accepted: z.array(predictionSchema),
  rejected: z.array(z.object({ prediction_id: z.string(), error: errorBodySchema.shape.error })),
});

export const deliverySchema = z
  .object({
    id: z.string().describe('dlv_...'),
    event_type: z.enum(['prediction.succeeded', 'prediction.failed', 'batch.completed']),
    webhook_id: z.string().describe('Stable across retries and redeliveries.'),
    url: z.string(),
    status: z.enum(deliveryStatuses),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: nullableString,
    next_attempt_at: nullableString,
    created_at: z.string(),
  })
  .meta({ id: 'Delivery' });

export const deliveryPageSchema = z.object({
  deliveries: z.array(deliverySchema),
  next_cursor: nullableString,
});

export const webhookEventSchema = z
  .object({
    type: z.enum(['prediction.succeeded', 'prediction.failed', 'batch.completed']),
    timestamp: z.string(),
    data: z.union([predictionSchema, batchSchema]).describe('the prediction or batch object'),
  })
  .meta({ id: 'WebhookEvent' });

export const predictionPageSchema = z.object({
  predictions: z.array(predictionSchema),
  next_cursor: nullableString.describe('null at the end'),
});

/**
 * `?format=fhir`: a FHIR R4 Observation. Described by reference to the standard (its full schema
 * is HL7's); the elements we write are listed in README "FHIR R4 output".
 */
export const fhirObservationSchema = z
  .looseObject({ resourceType: z.literal('Observation'), status: z.literal('preliminary') })
  .describe(
    'A FHIR R4 Observation (https://hl7.org/fhir/R4/observation.html): top class as valueCodeableConcept, one component per class probability, model as a contained Device',
  )
  .meta({ id: 'FhirObservation' });

/** One erasure in the audit log (AuditEntry in libs/jobs): what, when, which key, counts; no patient data. */
export const auditEntrySchema = z
  .object({
    id: z.string(),
    action: z.enum(['batch.erased', 'prediction.erased']),
    at: z.string(),
    actor: z.object({
      api_key_id: z.string().describe('`<tenant>#<n>`: the n-th key of the tenant in API_KEYS'),
    }),
    subject_digest: z
      .string()
      .describe('sha256 of "<tenant>:<erased id>": checkable by whoever holds the id, never the id itself'),
    counts: z.object({
      predictions: z.number().int(),
      images_released: z.number().int().describe('stored images no longer referenced, deleted from S3'),
    }),
  })
  .meta({ id: 'AuditEntry' });

export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), next_cursor: nullableString });
