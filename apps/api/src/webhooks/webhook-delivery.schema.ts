import { deliveryStatuses } from '@dermafleet/jobs';
import { z } from 'zod';

/** GET /v1/webhooks/deliveries query: validation, type and OpenAPI from this one schema. */
export const listQuerySchema = z.object({
  status: z.enum(deliveryStatuses, { message: 'status must be pending, succeeded or failed' }).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number({ message: 'limit must be a number' }).int().min(1).max(200).default(50),
});
