import { z } from 'zod';

/** POST /v1/batches/{id}/retry: which failed predictions to run again (retryableCodes in libs/jobs). */
export const retryBatchSchema = z.object({
  which: z
    .enum(['transient', 'all'], { message: 'which must be "transient" or "all"' })
    .default('transient')
    .describe(
      '`transient` (the default): those that failed with inference_failed; `all`: also invalid_image, image_too_large and worker_crashed. upload_missing is never re-run (there is no image).',
    ),
});

export const retryResultSchema = z.object({
  retried: z.number().int().describe('How many failed predictions were queued again, in place (same ids).'),
});
export type RetryResult = z.infer<typeof retryResultSchema>;
