import { z } from 'zod';

/** The BullMQ states that are work still to do: what KEDA scales on (DESIGN.md round 2). */
export const BACKLOG_STATES = ['waiting', 'prioritized', 'delayed', 'active'] as const;

const queueBacklog = z.object({
  waiting: z.number().int().nonnegative(),
  prioritized: z.number().int().nonnegative(),
  delayed: z.number().int().nonnegative(),
  active: z.number().int().nonnegative(),
  /** waiting + prioritized + delayed + active: KEDA's metric (`queues.inference.total`). */
  total: z.number().int().nonnegative(),
});

/** `GET /metrics/backlog` (CONTRACT.md v3): counts only, no tenant data. */
export const backlogResponse = z.object({
  queues: z.object({ inference: queueBacklog, preprocess: queueBacklog }),
});
export type QueueBacklog = z.infer<typeof queueBacklog>;
export type BacklogResponse = z.infer<typeof backlogResponse>;
