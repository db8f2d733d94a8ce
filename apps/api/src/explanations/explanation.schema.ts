import { z } from 'zod';

/**
 * The explanation object as a zod schema (the response of both explanation routes), for the
 * zod-to-openapi generation being introduced; ExplanationDto below mirrors it for today's document.
 */
export const explanationSchema = z.object({
  prediction_id: z.string(),
  status: z.enum(['queued', 'processing', 'succeeded', 'failed']),
  method: z.literal('occlusion'),
  grid: z.tuple([z.number().int(), z.number().int()]),
  map: z.array(z.array(z.number())).nullable(),
  label: z.string().nullable(),
  baseline_probability: z.number().nullable(),
  model: z.object({ id: z.string(), version: z.string() }).nullable(),
  fill: z.literal('mean'),
  overlay_url: z.string().nullable(),
  created_at: z.string(),
  completed_at: z.string().nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

/** POST .../explanation takes no body (an empty JSON object at most). */
export const requestExplanationSchema = z.object({}).strict();
