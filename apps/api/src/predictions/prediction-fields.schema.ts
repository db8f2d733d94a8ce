import { z } from 'zod';
import { ApiError } from '../errors/api-error';

const MAX_METADATA_BYTES = 4096;

export const webhookUrlSchema = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
    } catch {
      return false;
    }
  }, 'webhook_url must be an http(s) URL with a host');

/** `metadata`: a JSON object of at most 4 KiB, sent as a form field (a string). */
export const metadataFieldSchema = z
  .string()
  .refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_METADATA_BYTES, 'metadata must be at most 4 KiB of JSON')
  .transform((s, ctx) => {
    try {
      const value = JSON.parse(s) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value))
        return value as Record<string, unknown>;
    } catch {
      // reported below
    }
    ctx.addIssue({
      code: 'custom',
      message: 'metadata must be a JSON object, such as {"accession": "A123"}',
    });
    return z.NEVER;
  });

export const predictionFieldsSchema = z.object({
  webhook_url: webhookUrlSchema.optional(),
  metadata: metadataFieldSchema.optional(),
  priority: z
    .enum(['interactive', 'bulk'], { message: 'priority must be "interactive" or "bulk"' })
    .default('interactive'),
});

export type PredictionFields = z.output<typeof predictionFieldsSchema>;

/** Parses a body with a zod schema, or answers 400 invalid_request with the first problem. */
export function parseFields<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  throw ApiError.invalid(`${where}${issue.message}`);
}
