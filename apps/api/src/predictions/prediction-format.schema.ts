import { z } from 'zod';
import { ApiError } from '../errors/api-error';

/**
 * `GET /v1/predictions/{id}?format=`: `json` (the default: the prediction object) or `fhir` (one
 * FHIR R4 Observation, application/fhir+json; only for a succeeded prediction, else 409).
 */
export const predictionFormatSchema = z
  .enum(['json', 'fhir'], { message: 'format must be "json" or "fhir"' })
  .default('json');

export type PredictionFormat = z.output<typeof predictionFormatSchema>;

/** The format, or 400 invalid_request (not one of the two, or given twice). */
export function parsePredictionFormat(raw: unknown): PredictionFormat {
  const parsed = predictionFormatSchema.safeParse(raw);
  if (!parsed.success) throw ApiError.invalid(`format: ${parsed.error.issues[0].message}`);
  return parsed.data;
}
