import { predictionStatus } from '@dermafleet/jobs';
import { z } from 'zod';
import { type PredictionMark, predictionMarks } from './prediction-filter';

/** Query of GET /v1/batches/{id}/predictions: the contract's status/cursor/limit plus the viewer's filters. */
export const listPredictionsSchema = z.object({
  status: z.enum(predictionStatus).optional(),
  label: z.string().min(1).max(100).optional(),
  mark: z
    .string()
    .max(100)
    .transform((s) => s.split(',').filter(Boolean))
    .refine(
      (list) => list.every((m) => (predictionMarks as readonly string[]).includes(m)),
      `mark must be a comma-separated list of ${predictionMarks.join(', ')}`,
    )
    .transform((list) => list as PredictionMark[])
    .default([]),
  margin: z.coerce.number().min(0).max(1).default(0.1),
  q: z.string().max(200).optional(),
  order: z.enum(['created', 'confidence']).default('created'),
  cursor: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListPredictionsQuery = z.output<typeof listPredictionsSchema>;
