import { z } from 'zod';
import { metadataFieldSchema } from '../common/metadata.schema';
import { ApiError } from '../errors/api-error';

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

export { metadataFieldSchema };

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
