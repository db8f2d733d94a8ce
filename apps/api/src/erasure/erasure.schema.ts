import { z } from 'zod';

/** GET /v1/audit query. */
export const listAuditSchema = z.object({
  cursor: z.string().max(400).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
