import { z } from 'zod';
import { ApiError } from '../../errors/api-error';

/** The longest a request may hold for a final prediction (CONTRACT.md v3: 0-30 seconds). */
export const MAX_WAIT_SECONDS = 30;

/**
 * `?wait=<seconds>`: 0 to 30, fractions allowed (e.g. 2.5), default 0 (answer at once). Anything
 * else (negative, above 30, not a number, repeated) is 400 invalid_request.
 */
export const waitQuerySchema = z
  .string()
  .regex(/^\d{1,2}(\.\d{1,3})?$/, 'wait must be a number of seconds from 0 to 30')
  .transform(Number)
  .refine((s) => s <= MAX_WAIT_SECONDS, 'wait must be a number of seconds from 0 to 30')
  .optional()
  .default(0);

/** The wait in milliseconds, or 400 invalid_request. */
export function parseWaitMs(raw: unknown): number {
  const parsed = waitQuerySchema.safeParse(raw);
  if (!parsed.success) throw ApiError.invalid(`wait: ${parsed.error.issues[0].message}`);
  return Math.round(parsed.data * 1000);
}
