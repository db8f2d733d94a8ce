import { z } from 'zod';
import {
  completeSchema,
  createBatchSchema,
  listBatchesSchema,
  resultsQuerySchema,
  uploadsSchema,
} from '../batches/batch-fields.schema';
import { retryBatchSchema, retryResultSchema } from '../batches/batch-control.schema';
import { predictionFieldsSchema } from '../predictions/prediction-fields.schema';
import { listPredictionsSchema } from '../batch-predictions/list-predictions.schema';
import { explanationSchema } from '../explanations/explanation.schema';
import { listQuerySchema } from '../webhooks/webhook-delivery.schema';
import { backlogResponse } from '../queue/queue-backlog.schema';
import { waitQuerySchema } from '../predictions/wait/wait-query.schema';
import { predictionFormatSchema } from '../predictions/prediction-format.schema';
import { listAuditSchema } from '../erasure/erasure.schema';
import { ContractRegistry } from './openapi.registry';
import {
  addImagesResultSchema,
  auditPageSchema,
  batchPageSchema,
  batchSchema,
  completeResultSchema,
  deliveryPageSchema,
  deliverySchema,
  errorBodySchema,
  fhirObservationSchema,
  predictionPageSchema,
  predictionSchema,
  uploadsResultSchema,
  webhookEventSchema,
} from './response.schemas';

const binary = z.string().describe('file contents').meta({ format: 'binary' });
const text = (contentType: string, description: string) => ({ description, contentType });
const error = (description: string) => ({ description, schema: errorBodySchema });

// Named once per process: zod's global registry refuses the same id twice.
const explanation = explanationSchema.meta({ id: 'Explanation' });
/** `?wait=` (contract v3), validated by the same schema the controllers parse it with. */
const waitQuery = (what: string) =>
  z.object({
    wait: waitQuerySchema.describe(`Seconds (0-30, fractions allowed) to hold the request: ${what}`),
  });

/** Every endpoint of the API, each described by the schemas its controller validates with. */
export function contractRegistry(): ContractRegistry {
  const r = new ContractRegistry();
  const predictions = ['predictions'];
  const batches = ['batches'];
  r.component(webhookEventSchema);

  r.endpoint('post', '/v1/predictions', {
    summary: 'Classify one image (multipart: the file field "image"); optional Idempotency-Key header',
    tags: predictions,
    query: waitQuery('200 with the final prediction when it ends in time, else 202 as without wait'),
    form: predictionFieldsSchema.extend({
      image: binary,
      metadata: z.string().optional().describe('a JSON object, at most 4 KiB'),
    }),
    responses: {
      202: {
        description: 'accepted (or already succeeded when cached); poll the Location',
        schema: predictionSchema,
      },
      200: {
        description:
          'final within ?wait= (succeeded or failed); or an Idempotency-Key replay: the first prediction as it stands',
        schema: predictionSchema,
      },
      413: error('payload_too_large or image_too_large'),
      415: error('unsupported_media_type'),
      422: error('idempotency_key_reused: the key was used with another image or other fields'),
      429: error('rate_limited (Retry-After)'),
      503: error('queue_full or dependency_unavailable (Retry-After)'),
    },
  });
  r.endpoint('get', '/v1/predictions/{id}', {
    summary: 'Poll one prediction, or long-poll it with ?wait=',
    tags: predictions,
    query: waitQuery(
      'it answers as soon as the prediction is final, or when the time is up as it stands (200 both)',
    ).extend({
      format: predictionFormatSchema.describe(
        'json: the prediction object; fhir: one FHIR R4 Observation (application/fhir+json), succeeded predictions only',
      ),
    }),
    responses: {
      200: {
        description: 'the prediction (or with ?format=fhir its FHIR R4 Observation)',
        schema: predictionSchema,
        also: [{ contentType: 'application/fhir+json', schema: fhirObservationSchema }],
      },
      404: error('not_found'),
      409: error(
        'prediction_not_succeeded: ?format=fhir of a prediction that is queued, processing or failed',
      ),
    },
  });

  r.endpoint('post', '/v1/batches', {
    summary: 'Create a batch',
    tags: batches,
    json: createBatchSchema,
    responses: { 201: { description: 'the batch', schema: batchSchema }, 415: error('not JSON') },
  });
  r.endpoint('get', '/v1/batches', {
    summary: "The tenant's batches, newest first",
    tags: batches,
    query: listBatchesSchema,
    responses: { 200: { description: 'a page of batches', schema: batchPageSchema } },
  });
  r.endpoint('get', '/v1/batches/{id}', {
    summary: 'Progress of one batch, or long-poll its completion with ?wait=',
    tags: batches,
    query: waitQuery(
      'it answers as soon as the batch is completed, or when the time is up as it stands (200 both)',
    ),
    responses: { 200: { description: 'the batch', schema: batchSchema }, 404: error('not_found') },
  });
  const erased =
    'erased: its images (unless another prediction of the tenant still uses one), thumbnails, results, S3 copies, records and jobs; an audit entry records it';
  const processing = error('prediction_processing: a worker is processing it right now (Retry-After)');
  r.endpoint('delete', '/v1/batches/{id}', {
    summary:
      'Erase a batch and all its predictions (also past RETENTION_DAYS, from its S3 manifest, once it completed)',
    tags: batches,
    responses: { 204: { description: erased }, 404: error('not_found'), 409: processing },
  });
  r.endpoint('delete', '/v1/predictions/{id}', {
    summary: 'Erase one prediction (also past RETENTION_DAYS, while GET answers from its S3 copy)',
    tags: predictions,
    responses: { 204: { description: erased }, 404: error('not_found'), 409: processing },
  });
  r.endpoint('get', '/v1/audit', {
    summary: "The tenant's erasures, newest first (no patient data: no filename, metadata, UID or sha256)",
    tags: ['audit'],
    query: listAuditSchema,
    responses: { 200: { description: 'a page of audit entries', schema: auditPageSchema } },
  });

  r.endpoint('post', '/v1/batches/{id}/images', {
    summary:
      'Add images through the API (streamed multipart, many "image" parts; a "metadata" field applies to the parts after it)',
    tags: batches,
    form: z.object({ image: z.array(binary), metadata: z.string().optional() }),
    responses: {
      202: { description: 'accepted and rejected files', schema: addImagesResultSchema },
      409: error('batch_sealed'),
      503: error('queue_full (Retry-After)'),
    },
  });
  r.endpoint('post', '/v1/batches/{id}/uploads', {
    summary: "Presigned S3 PUT URLs (bound to each file's length and sha256) for up to 1000 files",
    tags: batches,
    json: uploadsSchema,
    responses: {
      200: { description: 'one upload ticket per file', schema: uploadsResultSchema },
      409: error('batch_sealed'),
      503: error('queue_full (Retry-After)'),
    },
  });
  r.endpoint('post', '/v1/batches/{id}/uploads/complete', {
    summary: 'The named direct uploads are in S3: verify size and sha256, then enqueue',
    tags: batches,
    json: completeSchema,
    responses: { 202: { description: 'accepted and rejected predictions', schema: completeResultSchema } },
  });
  r.endpoint('post', '/v1/batches/{id}/seal', {
    summary: 'No more images (idempotent); direct uploads that never arrived fail with upload_missing',
    tags: batches,
    responses: { 200: { description: 'the batch', schema: batchSchema }, 404: error('not_found') },
  });
  r.endpoint('post', '/v1/batches/{id}/cancel', {
    summary:
      'Stop the batch (idempotent): queued predictions end canceled, running ones finish; the batch is sealed and completes when the last ends (one batch.completed)',
    tags: batches,
    responses: { 200: { description: 'the batch', schema: batchSchema }, 404: error('not_found') },
  });
  r.endpoint('post', '/v1/batches/{id}/retry', {
    summary:
      'Run failed predictions again, in place (same ids, attempts + 1); a completed batch completes again when they end',
    tags: batches,
    json: retryBatchSchema,
    responses: {
      202: { description: 'how many were queued again', schema: retryResultSchema },
      400: error('invalid_request'),
      404: error('not_found'),
    },
  });
  r.endpoint('get', '/v1/batches/{id}/results', {
    summary:
      'Every prediction of the batch so far, streamed (NDJSON, CSV, or FHIR R4 Observations as NDJSON); header X-Batch-Status',
    tags: batches,
    query: resultsQuerySchema,
    responses: {
      200: {
        ...text(
          'application/x-ndjson',
          'one prediction object a line; text/csv with ?format=csv; with ?format=fhir-ndjson one FHIR R4 Observation a line for each succeeded prediction (others left out)',
        ),
        also: [{ contentType: 'text/csv' }, { contentType: 'application/fhir+ndjson' }],
      },
      404: error('not_found'),
    },
  });

  r.endpoint('get', '/v1/batches/{id}/predictions', {
    summary: "The batch's predictions, filtered (status, label, marks, search) and paged",
    tags: batches,
    query: listPredictionsSchema,
    responses: {
      200: { description: 'a page of predictions', schema: predictionPageSchema },
      404: error('not_found'),
    },
  });
  r.endpoint('post', '/v1/predictions/{id}/explanation', {
    summary: 'Ask for an occlusion map of the prediction (no body)',
    tags: ['explanations'],
    responses: {
      202: { description: 'the explanation as it stands', schema: explanation },
      400: error('the prediction did not succeed'),
      404: error('not_found'),
    },
  });
  r.endpoint('get', '/v1/predictions/{id}/explanation', {
    summary: 'The explanation; 404 when none was asked for',
    tags: ['explanations'],
    responses: { 200: { description: 'the explanation', schema: explanation }, 404: error('not_found') },
  });
  r.endpoint('get', '/v1/predictions/{id}/explanation/overlay.png', {
    summary: 'The explanation overlay as a PNG',
    tags: ['explanations'],
    responses: { 200: text('image/png', 'overlay'), 404: error('not_found') },
  });
  r.endpoint('get', '/v1/predictions/{id}/image', {
    summary: 'The image as uploaded (for the viewer)',
    tags: ['viewer'],
    responses: {
      200: text('application/octet-stream', 'the image bytes, with their content type'),
      404: error('not_found'),
    },
  });
  r.endpoint('get', '/v1/predictions/{id}/thumbnail', {
    summary: 'A WebP thumbnail of the image, made on its first request and stored',
    tags: ['viewer'],
    responses: {
      200: text('image/webp', 'thumbnail, 256 px on the long side'),
      404: error('not_found'),
      503: error(
        'queue_full: too many thumbnails waiting to be made, or dependency_unavailable (Retry-After)',
      ),
    },
  });

  r.endpoint('get', '/v1/webhooks/deliveries', {
    summary: "The tenant's webhook delivery log, newest first",
    tags: ['webhooks'],
    query: listQuerySchema,
    responses: { 200: { description: 'a page of deliveries', schema: deliveryPageSchema } },
  });
  r.endpoint('post', '/v1/webhooks/deliveries/{id}/redeliver', {
    summary: 'Send that event again (same webhook-id)',
    tags: ['webhooks'],
    responses: { 202: { description: 'the delivery', schema: deliverySchema }, 404: error('not_found') },
  });

  const ops = { tags: ['operations'], auth: false };
  r.endpoint('get', '/health/live', {
    ...ops,
    summary: 'Liveness',
    responses: { 200: { description: 'alive' } },
  });
  r.endpoint('get', '/health/ready', {
    ...ops,
    summary: 'Readiness: Redis and S3 reachable',
    responses: { 200: { description: 'ready' }, 503: { description: 'not ready' } },
  });
  r.endpoint('get', '/metrics/backlog', {
    ...ops,
    summary:
      'Work still to do per queue (waiting + prioritized + delayed + active), read from Redis: every replica answers the same; KEDA metrics-api reads queues.inference.total',
    responses: {
      200: { description: 'counts only, no tenant data', schema: backlogResponse },
      503: error('dependency_unavailable: Redis could not be read (never a 0); Retry-After'),
    },
  });
  r.endpoint('get', '/metrics', {
    ...ops,
    summary: 'Prometheus metrics (every series of ours starts with dermafleet_)',
    responses: { 200: text('text/plain', 'Prometheus text format') },
  });
  r.endpoint('get', '/docs', {
    ...ops,
    summary: 'This document, as a UI',
    responses: { 200: text('text/html', 'Swagger UI') },
  });
  r.endpoint('get', '/docs-json', {
    ...ops,
    summary: 'This document',
    responses: { 200: { description: 'OpenAPI 3 document' } },
  });
  return r;
}
